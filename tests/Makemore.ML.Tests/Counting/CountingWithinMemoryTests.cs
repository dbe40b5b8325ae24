using Makemore.ML.Counting;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// Counting within a memory budget (<see cref="NGramModel.Fit(CharacterVocabulary, int, Smoothing, IEnumerable{int[]}, long, string?)"/>):
/// a budget small enough to spill many runs, and to merge open runs on disk, gives the in-memory model exactly and leaves
/// nothing in the temporary folder.
/// </summary>
[TestClass]
public sealed class CountingWithinMemoryTests
{
    [TestMethod]
    [DataRow(5, "kneser-ney")]
    [DataRow(6, "add-k:0.1")]
    public void ATinyBudgetSpillsRunsAndGivesTheInMemoryModelExactly(int order, string smoothing)
    {
        var names = TestData.BundledNames();
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToArray();
        var inMemory = NGramModel.Fit(vocabulary, order, Smoothing.Parse(smoothing), sequences);
        string folder = Directory.CreateTempSubdirectory("makemore-budget-test-").FullName;
        try
        {
            // 64 KB: chunks of ~1,365 events and runs spilled at ~1,365 keys, so the 32k names' ~230k events spill over
            // a hundred runs, merged 16 at a time on disk before the final merge.
            var counts = NGramCounts.Count(vocabulary.Size, order, sequences, NGramCounts.ChunkEvents, 64 << 10, folder, out int spills);
            Assert.IsGreaterThan(2 * SpilledRuns.FanIn, spills, "the budget must force many spills and on-disk merges");
            CollectionAssert.AreEqual(inMemory.TopCounts.Keys, counts.Keys);
            CollectionAssert.AreEqual(inMemory.TopCounts.Counts, counts.Counts);

            var budgeted = NGramModel.Fit(vocabulary, order, Smoothing.Parse(smoothing), sequences, 64 << 10, folder);
            Assert.AreEqual(inMemory.Levels.Count, budgeted.Levels.Count);
            for (int n = 0; n < inMemory.Levels.Count; n++)
            {
                var (expected, actual) = (inMemory.Levels[n], budgeted.Levels[n]);
                CollectionAssert.AreEqual(expected.Keys.Array, actual.Keys.Array, $"keys of level {n + 1}");
                CollectionAssert.AreEqual(expected.Probabilities, actual.Probabilities, $"probabilities of level {n + 1}");
                CollectionAssert.AreEqual(expected.ContextKeys(), actual.ContextKeys(), $"contexts of level {n + 1}");
                CollectionAssert.AreEqual(expected.Weights, actual.Weights, $"weights of level {n + 1}");
            }
            foreach (var ids in sequences.Take(200))
                Assert.AreEqual(inMemory.LogLikelihood(ids), budgeted.LogLikelihood(ids));
            Assert.IsEmpty(Directory.GetFileSystemEntries(folder), "the spilled runs must leave nothing behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ABudgetLargerThanTheCountsSpillsNothing()
    {
        var names = TestData.Tiny;
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToArray();
        var counts = NGramCounts.Count(vocabulary.Size, 6, sequences, NGramCounts.ChunkEvents, 1 << 30, spillFolder: null, out int spills);
        Assert.AreEqual(0, spills);
        CollectionAssert.AreEqual(NGramCounts.Count(vocabulary.Size, 6, sequences).Keys, counts.Keys);
    }
}

using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

/// <summary>
/// What scoring a name allocates, counted (not timed) with <see cref="GC.GetAllocatedBytesForCurrentThread"/>: nothing for
/// <see cref="NameScorer.ScoreLikelihood"/>, only the output for <see cref="NameScorer.Score"/>.
/// </summary>
[TestClass]
public sealed class NameScorerAllocationTests
{
    private const int Names = 2_000;

    private static readonly string[] Training = TestData.BundledNames().ToArray();

    private static IEnumerable<object[]> Models()
    {
        yield return [2, "add-k:1"]; // the dense table
        yield return [6, "kneser-ney"]; // the sparse tables and backoff
    }

    private static (NameScorer Scorer, string[] Names, int VocabularySize) Scorer(int order, string smoothing, NameScorerOptions? options = null)
    {
        var vocabulary = CharacterVocabulary.Learn(Training);
        var model = NGramModel.Fit(vocabulary, order, Smoothing.Parse(smoothing), Training.Take(25_000).Select(n => vocabulary.Encode(n)));
        return (new NameScorer(model, options: options), Training.Skip(25_000).Take(Names).ToArray(), vocabulary.Size);
    }

    // The fewest bytes of three runs after two warm-ups (lazy tables, JIT): the runtime's tiering can allocate on the
    // thread that crosses a call-count threshold, once; the scorer allocates on every run or never.
    private static long Allocated(Action action)
    {
        action();
        action();
        long fewest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void ScoreLikelihoodAllocatesNothing(int order, string smoothing)
    {
        var (scorer, names, _) = Scorer(order, smoothing);
        double sum = 0;
        long bytes = Allocated(() =>
        {
            foreach (string name in names)
                sum += scorer.ScoreLikelihood(name).LogLikelihood;
        });
        Assert.AreEqual(0L, bytes, $"bytes allocated scoring {Names} names");
        Assert.IsTrue(double.IsFinite(sum));
    }

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void ScoreAllocatesOnlyItsOutput(int order, string smoothing)
    {
        var (scorer, names, size) = Scorer(order, smoothing);
        long output = Allocated(() =>
        {
            foreach (string _ in names)
                GC.KeepAlive(new NameScore { NextCharacterProbabilities = new float[size] });
        });
        long bytes = Allocated(() =>
        {
            foreach (string name in names)
                GC.KeepAlive(scorer.Score(name));
        });
        Assert.AreEqual(output, bytes, $"bytes allocated scoring {Names} names, against their {Names} outputs");
    }

    [TestMethod]
    public void ScoreLikelihoodEqualsScoreUnderEveryReadingOption()
    {
        var options = new NameScorerOptions { FoldCase = true, UnknownCharacters = UnknownCharacterPolicy.Skip };
        var (scorer, names, _) = Scorer(4, "kneser-ney", options);
        foreach (string name in names.Take(200).Select(n => char.ToUpperInvariant(n[0]) + n[1..] + "-9"))
        {
            var full = scorer.Score(name);
            var likelihood = scorer.ScoreLikelihood(name);
            Assert.AreEqual(full.LogLikelihood, likelihood.LogLikelihood, name);
            Assert.AreEqual(full.PredictedCharacterCount, likelihood.PredictedCount, name);
            Assert.AreEqual(full.NllPerCharacter, likelihood.NllPerCharacter, name);
        }
    }
}

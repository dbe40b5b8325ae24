using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Sampling;

[TestClass]
public sealed class NameSearchTests
{
    private static NGramModel TinyTrigram()
    {
        var vocabulary = CharacterVocabulary.Learn(TestData.Tiny);
        return NGramModel.Fit(vocabulary, 3, Smoothing.AddK(0.1), TestData.Tiny.Select(n => vocabulary.Encode(n)));
    }

    /// <summary>Every name of at most <paramref name="maxLength"/> characters over the vocabulary, scored one by one.</summary>
    private static List<ScoredName> Exhaustive(ILanguageModel model, int maxLength, Func<string, bool> keep)
    {
        var vocabulary = model.Vocabulary;
        var all = new List<ScoredName>();
        var frontier = new List<int[]> { Array.Empty<int>() };
        for (int length = 0; length <= maxLength; length++)
        {
            foreach (var ids in frontier)
            {
                string name = vocabulary.Decode(ids);
                if (keep(name))
                    all.Add(new ScoredName(name, SequenceScorer.Score(model, ids).LogLikelihood, ids.Length + 1));
            }
            frontier = frontier.SelectMany(ids => Enumerable.Range(1, vocabulary.Size - 1).Select(id => (int[])[.. ids, id])).ToList();
        }
        return all.OrderByDescending(s => s.LogLikelihood).ToList();
    }

    [TestMethod]
    [DataRow("", "", "", 0, 4, DisplayName = "no constraints, ≤ 4")]
    [DataRow("a", "a", "", 3, 5, DisplayName = "a…a, 3–5")]
    [DataRow("", "", "l", 0, 5, DisplayName = "no l, ≤ 5")]
    public void TopNEqualsAnExhaustiveSearch(string startsWith, string endsWith, string exclude, int min, int max)
    {
        var model = TinyTrigram();
        var constraints = new NameConstraints { StartsWith = startsWith, EndsWith = endsWith, ExcludedCharacters = exclude, MinLength = min, MaxLength = max };
        var expected = Exhaustive(model, max, n => n.StartsWith(startsWith, StringComparison.Ordinal) && n.EndsWith(endsWith, StringComparison.Ordinal)
            && n.IndexOfAny(exclude.ToCharArray()) < 0 && n.Length >= min).Take(10).ToList();
        var result = new NameSearch(model).MostLikely(10, new NameSearchOptions { Constraints = constraints, BeamWidth = 100_000 });
        Assert.IsTrue(result.IsExact);
        Assert.AreEqual(expected[0].Name, result.Names[0].Name, "top-1");
        Assert.HasCount(10, result.Names);
        for (int i = 0; i < 10; i++)
            Assert.AreEqual(expected[i].LogLikelihood, result.Names[i].LogLikelihood, 1e-9, $"rank {i + 1}: {expected[i].Name} vs {result.Names[i].Name}");
        CollectionAssert.AreEquivalent(
            expected.Where(e => e.LogLikelihood > expected[^1].LogLikelihood + 1e-9).Select(e => e.Name).ToList(),
            result.Names.Where(e => e.LogLikelihood > expected[^1].LogLikelihood + 1e-9).Select(e => e.Name).ToList(),
            "the same names (ties at the last rank aside)");
    }

    [TestMethod]
    public void ANarrowBeamSaysWhenItMayNotBeExact()
    {
        var model = TinyTrigram();
        var exact = new NameSearch(model).MostLikely(20, new NameSearchOptions { Constraints = MaxLengthOnly(8), BeamWidth = 100_000 });
        var narrow = new NameSearch(model).MostLikely(20, new NameSearchOptions { Constraints = MaxLengthOnly(8), BeamWidth = 2 });
        Assert.IsTrue(exact.IsExact);
        bool same = exact.Names.Select(n => n.Name).SequenceEqual(narrow.Names.Select(n => n.Name));
        Assert.IsTrue(same || !narrow.IsExact, "a beam that claims exactness found the exact names");
        Assert.IsFalse(narrow.IsExact, "a beam of 2 drops names that could have been in the top 20");
    }

    private static NameConstraints MaxLengthOnly(int max) => new() { MaxLength = max };
}

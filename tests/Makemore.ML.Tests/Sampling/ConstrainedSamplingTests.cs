using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Sampling;

[TestClass]
public sealed class ConstrainedSamplingTests
{
    private static readonly Lazy<IReadOnlyList<string>> Bundled = new(() => NameList.Read(TestData.BundledNamesPath));
    private static readonly Lazy<NGramModel> Bigram = new(() => Fit(Bundled.Value, 2, Smoothing.AddK(1)));
    private static readonly Lazy<NGramModel> KneserNey6 = new(() => Fit(Bundled.Value, 6, Smoothing.KneserNey()));

    private static NGramModel Fit(IReadOnlyList<string> names, int order, Smoothing smoothing)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        return NGramModel.Fit(vocabulary, order, smoothing, names.Select(n => vocabulary.Encode(n)));
    }

    private static ILanguageModel Model(string name) => name switch
    {
        "bigram" => Bigram.Value,
        "kn6" => KneserNey6.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [TestMethod]
    [DataRow("bigram", SamplerRng.Lecture, "a", "na", "", "xqz", 0, 8, DisplayName = "bigram: a…na, no x q z, ≤ 8")]
    [DataRow("bigram", SamplerRng.Torch, "", "", "eli", "a", 5, 9, DisplayName = "bigram: contains eli, no a, 5–9")]
    [DataRow("kn6", SamplerRng.Lecture, "", "anna", "", "", 0, 5, DisplayName = "kn6: ends with anna within 5 (the suffix is forced)")]
    [DataRow("kn6", SamplerRng.Torch, "m", "y", "ar", "e", 4, 6, DisplayName = "kn6: m…y, contains ar, no e, 4–6")]
    [DataRow("kn6", SamplerRng.Lecture, "", "", "", "", 12, 15, DisplayName = "kn6: 12–15 characters")]
    public void ConstraintsHoldInTenThousandSamples(string model, SamplerRng rng, string startsWith, string endsWith, string contains, string exclude, int min, int max)
    {
        var constraints = new NameConstraints
        {
            StartsWith = startsWith, EndsWith = endsWith, Contains = contains, ExcludedCharacters = exclude, MinLength = min, MaxLength = max,
        };
        var names = new NameGenerator(Model(model)).Generate(10_000, new SamplingOptions { Seed = 11, Rng = rng, Constraints = constraints });
        ConstraintChecks.AssertSatisfied(names, constraints);
        Assert.IsGreaterThan(20, names.Distinct().Count(), "masking still samples: the names vary (ending in anna within 5 characters allows 27)");
    }

    [TestMethod]
    [DataRow("bigram", "ja")]
    [DataRow("kn6", "chr")]
    public void PrefixContinuationsStartWithThePrefixAndVary(string model, string prefix)
    {
        var names = new NameGenerator(Model(model)).Generate(2_000, new SamplingOptions { Prefix = prefix, Seed = 5 });
        Assert.IsTrue(names.All(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.IsGreaterThan(20, names.Distinct().Count(n => n.Length > prefix.Length));
    }

    [TestMethod]
    [DataRow(SamplerRng.Lecture)]
    [DataRow(SamplerRng.Torch)]
    public void SameSeedSameConstrainedNames(SamplerRng rng)
    {
        var generator = new NameGenerator(KneserNey6.Value);
        SamplingOptions Options(long seed) => new()
        {
            Seed = seed, Rng = rng, TopP = 0.9, TopK = 10, Temperature = 0.8,
            Constraints = new NameConstraints { EndsWith = "a", ExcludedCharacters = "z", MaxLength = 10 },
        };
        var a = generator.Generate(200, Options(3));
        CollectionAssert.AreEqual(a.ToList(), generator.Generate(200, Options(3)).ToList());
        CollectionAssert.AreNotEqual(a.ToList(), generator.Generate(200, Options(4)).ToList());
    }

    [TestMethod]
    public void EmptyConstraintsDrawTheSameStreamAsLengthOnlyOptions()
    {
        // Constraints that allow everything (an excluded character the model never gives, a minimum of 0) mask nothing:
        // the sampler sees the same rows, so the names are those of the plain options.
        var generator = new NameGenerator(Bigram.Value);
        var plain = generator.Generate(500, new SamplingOptions { Seed = 9 });
        var masked = generator.Generate(500, new SamplingOptions { Seed = 9, Constraints = new NameConstraints { ExcludedCharacters = "ß", MinLength = 0 } });
        CollectionAssert.AreEqual(plain.ToList(), masked.ToList());
    }

    [TestMethod]
    public void GreedyIsTheMostLikelyPathAndUsesNoRandomNumbers()
    {
        var generator = new NameGenerator(KneserNey6.Value);
        var greedy = generator.Generate(3, new SamplingOptions { Greedy = true, Seed = 1 });
        Assert.AreEqual(1, greedy.Distinct().Count());
        Assert.AreEqual(greedy[0], generator.Generate(1, new SamplingOptions { Greedy = true, Seed = 99, Rng = SamplerRng.Torch })[0], "no draw: the seed does not matter");
        Assert.AreEqual(greedy[0], generator.Generate(1, new SamplingOptions { TopK = 1, Seed = 99 })[0], "greedy is top-1 sampling");
        var constrained = generator.Generate(1, new SamplingOptions { Greedy = true, Constraints = new NameConstraints { StartsWith = "k", EndsWith = "n", MaxLength = 7 } })[0];
        ConstraintChecks.AssertSatisfied([constrained], new NameConstraints { StartsWith = "k", EndsWith = "n", MaxLength = 7 });
    }

    [TestMethod]
    public void TopPKeepsOnlyTheNucleusOfTheFirstCharacter()
    {
        var model = Bigram.Value;
        var p = new double[model.Vocabulary.Size];
        model.StartDecoding().NextProbabilities(p);
        // The nucleus of 0.5, computed here independently: most likely first, until half the mass.
        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ToArray();
        var nucleus = new HashSet<char>();
        double mass = 0;
        foreach (int id in order)
        {
            if (mass >= 0.5 * p.Sum())
                break;
            nucleus.Add(model.Vocabulary.SymbolOf(id));
            mass += p[id];
        }
        var names = new NameGenerator(model).Generate(3_000, new SamplingOptions { TopP = 0.5, Seed = 2 });
        var firsts = names.Where(n => n.Length > 0).Select(n => n[0]).ToHashSet();
        Assert.IsTrue(firsts.IsSubsetOf(nucleus), $"first characters {string.Concat(firsts.Order())} within the nucleus {string.Concat(nucleus.Order())}");
        Assert.AreEqual(nucleus.Count, firsts.Count, "every character of the nucleus is drawn in 3,000 names");
        var tiny = new NameGenerator(model).Generate(5, new SamplingOptions { TopP = 1e-9, Seed = 2 });
        CollectionAssert.AreEqual(new NameGenerator(model).Generate(5, new SamplingOptions { Greedy = true }).ToList(), tiny.ToList(), "a tiny nucleus is greedy");
    }

    [TestMethod]
    public void PatternIsMatchedByRejectionAndItsBudgetIsNamedWhenItRunsOut()
    {
        var generator = new NameGenerator(KneserNey6.Value);
        var names = generator.Generate(50, new SamplingOptions { Seed = 4, Constraints = new NameConstraints { Pattern = "^[aeiou].*[aeiou]$" } });
        Assert.IsTrue(names.All(n => System.Text.RegularExpressions.Regex.IsMatch(n, "^[aeiou].*[aeiou]$")));
        var e = Assert.ThrowsExactly<SamplingBudgetExhaustedException>(() =>
            generator.Generate(3, new SamplingOptions { MaxAttempts = 40, Constraints = new NameConstraints { Pattern = "^q{6}$" } }));
        StringAssert.Contains(e.Message, "'^q{6}$'");
        StringAssert.Contains(e.Message, "40 draws");
        Assert.AreEqual(40, e.Budget);
        Assert.AreEqual(0, e.Found);
    }

    [TestMethod]
    [DataRow("ba", "", "", "a", 0, 10, "ExcludedCharacters", DisplayName = "excluded character in the prefix")]
    [DataRow("", "x", "", "x", 0, 10, "ExcludedCharacters", DisplayName = "excluded character in the suffix")]
    [DataRow("", "", "", "", 6, 5, "MinLength", DisplayName = "min > max")]
    [DataRow("", "ß", "", "", 0, 10, "EndsWith", DisplayName = "suffix outside the vocabulary")]
    [DataRow("", "", "9", "", 0, 10, "Contains", DisplayName = "inner text outside the vocabulary")]
    [DataRow("an", "na", "xyz", "", 0, 6, "MaxLength", DisplayName = "too long for MaxLength")]
    [DataRow("abc", "", "xyz", "", 0, 4, "MaxLength", DisplayName = "a prefix and an inner text longer than MaxLength together")]
    public void UnsatisfiableConstraintsAreRefusedBeforeSampling(string startsWith, string endsWith, string contains, string exclude, int min, int max, string parameter)
    {
        var options = new SamplingOptions
        {
            Constraints = new NameConstraints { StartsWith = startsWith, EndsWith = endsWith, Contains = contains, ExcludedCharacters = exclude, MinLength = min, MaxLength = max },
        };
        var e = Assert.Throws<ArgumentException>(() => new NameGenerator(Bigram.Value).Enumerate(1, options));
        Assert.AreEqual(parameter, e.ParamName, e.Message);
        Assert.Throws<ArgumentException>(() => new NameSearch(Bigram.Value).MostLikely(1, new NameSearchOptions { Constraints = options.Constraints }));
    }

    [TestMethod]
    public void EveryContradictionOverATinyAlphabetIsRefusedAndNothingElse()
    {
        // A bigram over 'a' and 'b' (smoothed: every character can follow every other). The oracle is brute force: a
        // combination is satisfiable when some string over a and b of MinLength to MaxLength characters meets it all.
        string[] names = ["ab", "ba", "aab", "b"];
        var vocabulary = CharacterVocabulary.FromCharacters("ab");
        var model = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), names.Select(n => vocabulary.Encode(n)));
        string[] texts = ["", "a", "b", "aa", "ab", "ba", "bb", "aba", "z"]; // 'z': outside the vocabulary
        string[] exclusions = ["", "a", "b"];
        const int Longest = 4;
        var strings = Enumerable.Range(0, Longest + 1).SelectMany(length => Strings("ab", length)).ToList();
        int refused = 0, checkedCount = 0;
        foreach (string start in texts)
            foreach (string end in texts)
                foreach (string inside in texts)
                    foreach (string exclude in exclusions)
                        for (int min = 0; min <= Longest; min++)
                            for (int max = 1; max <= Longest; max++)
                            {
                                var constraints = new NameConstraints { StartsWith = start, EndsWith = end, Contains = inside, ExcludedCharacters = exclude, MinLength = min, MaxLength = max };
                                bool satisfiable = strings.Any(s => s.Length >= min && s.Length <= max && s.StartsWith(start, StringComparison.Ordinal)
                                    && s.EndsWith(end, StringComparison.Ordinal) && s.Contains(inside, StringComparison.Ordinal) && s.IndexOfAny(exclude.ToCharArray()) < 0);
                                string what = $"starts '{start}', ends '{end}', contains '{inside}', exclude '{exclude}', {min}–{max}";
                                checkedCount++;
                                if (satisfiable)
                                {
                                    ConstraintChecks.AssertSatisfied(new NameGenerator(model).Generate(3, new SamplingOptions { Seed = checkedCount, Constraints = constraints }), constraints);
                                    continue;
                                }
                                refused++;
                                var e = Assert.Throws<ArgumentException>(() => new NameGenerator(model).Enumerate(1, new SamplingOptions { Constraints = constraints }), what);
                                Assert.IsTrue(e.ParamName is nameof(NameConstraints.StartsWith) or nameof(NameConstraints.EndsWith) or nameof(NameConstraints.Contains)
                                    or nameof(NameConstraints.ExcludedCharacters) or nameof(NameConstraints.MinLength) or nameof(NameConstraints.MaxLength), $"{what}: {e.ParamName}");
                                Assert.Throws<ArgumentException>(() => new NameSearch(model).MostLikely(1, new NameSearchOptions { Constraints = constraints }), what);
                            }
        Assert.IsTrue(refused > 1000 && refused < checkedCount - 1000, $"{refused} of {checkedCount} refused: both kinds are exercised");

        static IEnumerable<string> Strings(string alphabet, int length) =>
            length == 0 ? [""] : Strings(alphabet, length - 1).SelectMany(s => alphabet.Select(c => s + c));
    }

    [TestMethod]
    [DataRow("zzz", "", "", 0, 2, "No name of at most MaxLength 2 characters can satisfy StartsWith 'zzz': the shortest that does, 'zzz', has 3.")]
    [DataRow("an", "na", "xyz", 0, 6, "No name of at most MaxLength 6 characters can satisfy StartsWith 'an', EndsWith 'na' and Contains 'xyz': the shortest that does, 'anxyzna', has 7.")]
    [DataRow("ann", "nna", "", 0, 3, "No name of at most MaxLength 3 characters can satisfy StartsWith 'ann' and EndsWith 'nna': the shortest that does, 'anna', has 4.")]
    [DataRow("ab", "ba", "aba", 4, 4, "No name of MinLength 4 to MaxLength 4 characters can satisfy StartsWith 'ab', EndsWith 'ba', Contains 'aba' and ExcludedCharacters 'cdefghijklmnopqrstuvwxyz' (the shortest that does, 'aba', has 3).")]
    public void TextsThatCannotFitTheLengthBoundsAreRefusedWithTheShortestNameThatSatisfiesThem(string startsWith, string endsWith, string contains, int min, int max, string expected)
    {
        var constraints = new NameConstraints
        {
            StartsWith = startsWith, EndsWith = endsWith, Contains = contains, MinLength = min, MaxLength = max,
            ExcludedCharacters = expected.Contains("ExcludedCharacters", StringComparison.Ordinal) ? "cdefghijklmnopqrstuvwxyz" : "",
        };
        var e = Assert.Throws<ArgumentException>(() => new NameGenerator(Bigram.Value).Enumerate(1, new SamplingOptions { Constraints = constraints }));
        Assert.AreEqual(expected, e.Message[..e.Message.IndexOf(" (Parameter", StringComparison.Ordinal)]);
    }

    [TestMethod]
    public void SuffixFitsExactlyInTheLengthBudget()
    {
        // "a" then the forced "nna": the only names of at most 4 characters that start with a and end with anna... is "anna".
        var names = new NameGenerator(Bigram.Value).Generate(20, new SamplingOptions { Seed = 1, Constraints = new NameConstraints { StartsWith = "a", EndsWith = "anna", MaxLength = 4 } });
        Assert.IsTrue(names.All(n => n == "anna"), string.Join(",", names));
    }
}

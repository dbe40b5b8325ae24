using System.Text.Json;
using Makemore.ML.Data;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>Making and judging names from the command line: constraints, beam search, novelty, plausibility percentile.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CliNameToolsTests
{
    private static string _folder = "";

    // A 4-gram Kneser–Ney model of the first 3,000 bundled names, lecture split.
    private static string Model => Path.Combine(_folder, "kn4.zip");
    private static string Names => Path.Combine(_folder, "names.txt");

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-cli-names-").FullName;
        File.WriteAllLines(Names, File.ReadLines(TestData.BundledNamesPath).Take(3_000));
        var (code, _, error) = Run("train", "-i", Names, "-o", Model, "--order", "4", "--smoothing", "kneser-ney", "--samples", "0");
        Assert.AreEqual(0, code, error);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [TestMethod]
    public void ConstrainedSamplesSatisfyEveryFlag()
    {
        var (code, output, error) = Run("sample", "-m", Model, "-n", "300", "--starts-with", "a", "--ends-with", "na", "--contains", "n",
            "--exclude", "xqz", "--min-length", "4", "--max-length", "8", "--top-p", "0.95", "--rng", "torch");
        Assert.AreEqual(0, code, error);
        var names = Lines(output);
        Assert.HasCount(300, names);
        foreach (string name in names)
            Assert.IsTrue(name.StartsWith('a') && name.EndsWith("na", StringComparison.Ordinal) && name.IndexOfAny(['x', 'q', 'z']) < 0 && name.Length is >= 4 and <= 8, name);
        StringAssert.StartsWith(error, $"novelty ({Names}, split lecture): in train ");
    }

    [TestMethod]
    public void OnlyNewGivesDistinctNamesInNoPartOfTheData()
    {
        var (code, output, error) = Run("sample", "-m", Model, "-n", "50", "--only-new", "--seed", "7");
        Assert.AreEqual(0, code, error);
        var names = Lines(output);
        var data = File.ReadAllLines(Names).ToHashSet();
        Assert.HasCount(50, names.Distinct().ToList());
        Assert.IsFalse(names.Any(data.Contains), "no name of the data");
        StringAssert.Contains(error, "new 50 (100.0%) of 50");
        StringAssert.Contains(error, "draws: ");
    }

    [TestMethod]
    public void OnlyNewSaysWhenTheBudgetRunsOut()
    {
        var (code, output, error) = Run("sample", "-m", Model, "-n", "3", "--only-new", "--greedy", "--max-attempts", "20");
        Assert.AreEqual(1, code);
        Assert.IsLessThanOrEqualTo(1, Lines(output).Length, "greedy makes one name at most once");
        StringAssert.Contains(error, "of 3 new distinct names: the last 20 draws");
    }

    [TestMethod]
    public void OnlyNewWithTheTrainingDataGoneSaysWhereToGiveIt()
    {
        string moved = Path.Combine(_folder, "moved.txt");
        string model = Path.Combine(_folder, "gone.zip");
        File.Copy(Names, moved, overwrite: true);
        Assert.AreEqual(0, Run("train", "-i", moved, "-o", model, "--order", "3", "--samples", "0").Code);
        File.Delete(moved);
        var (code, output, error) = Run("sample", "-m", model, "-n", "5", "--only-new");
        Assert.AreEqual(2, code, output);
        StringAssert.Contains(error, "--only-new needs the training data");
        StringAssert.Contains(error, "give it with --input");
        var plain = Run("sample", "-m", model, "-n", "5");
        Assert.AreEqual(0, plain.Code, "without --only-new the names still come");
        StringAssert.Contains(plain.Error, "novelty: not reported (the training data");
    }

    [TestMethod]
    public void JsonReportsNamesAndNovelty()
    {
        var (code, output, error) = Run("sample", "-m", Model, "-n", "40", "--json");
        Assert.AreEqual(0, code, error);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToList();
        CollectionAssert.AreEqual(Lines(Run("sample", "-m", Model, "-n", "40").Output), names, "the same names as the text output");
        var novelty = json.RootElement.GetProperty("novelty");
        var split = NameSplitter.Split(File.ReadAllLines(Names));
        Assert.AreEqual(names.Count(split.Train.Contains), novelty.GetProperty("in_train").GetInt32());
        Assert.AreEqual(names.Count(n => !split.Train.Contains(n) && !split.Dev.Contains(n) && !split.Test.Contains(n)), novelty.GetProperty("new").GetInt32());
        Assert.AreEqual(40, novelty.GetProperty("total").GetInt32());
    }

    [TestMethod]
    public void BeamListsTheMostLikelyNamesBestFirst()
    {
        var (code, output, error) = Run("sample", "-m", Model, "-n", "5", "--beam", "100000", "--starts-with", "ma", "--json");
        Assert.AreEqual(0, code, error);
        using var json = JsonDocument.Parse(output);
        Assert.IsTrue(json.RootElement.GetProperty("exact").GetBoolean());
        var found = json.RootElement.GetProperty("names").EnumerateArray().ToList();
        Assert.HasCount(5, found);
        var likelihoods = found.Select(f => f.GetProperty("log_likelihood").GetDouble()).ToList();
        CollectionAssert.AreEqual(likelihoods.OrderByDescending(x => x).ToList(), likelihoods, "best first");
        Assert.IsTrue(found.All(f => f.GetProperty("name").GetString()!.StartsWith("ma", StringComparison.Ordinal)));
        var scored = JsonDocument.Parse(Run("score", "-m", Model, found[0].GetProperty("name").GetString()!, "--json").Output).RootElement[0];
        Assert.AreEqual(scored.GetProperty("log_likelihood").GetDouble(), likelihoods[0], 1e-9, "the search's log-likelihood is the score's");
    }

    [TestMethod]
    public void ScoreGivesAPercentileThatOrdersNamesByPlausibility()
    {
        var (code, output, error) = Run("score", "-m", Model, "anna", "Anna", "xqzzt", "--fold-case", "--json");
        Assert.AreEqual(0, code, error);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        double anna = rows[0].GetProperty("percentile").GetDouble();
        Assert.AreEqual(anna, rows[1].GetProperty("percentile").GetDouble(), "--fold-case: Anna scores as anna");
        Assert.IsGreaterThan(50, anna, "anna is more plausible than most training names of a 4-gram");
        Assert.AreEqual(0, rows[2].GetProperty("percentile").GetDouble(), "xqzzt is less plausible than every training name");
        var table = Run("score", "-m", Model, "anna", "z9", "--unknown", "skip");
        Assert.AreEqual(0, table.Code, table.Error);
        StringAssert.Contains(table.Output, "percentile");
    }

    [TestMethod]
    public void InfoSummarizesThePlausibilityTable()
    {
        var (code, output, error) = Run("info", "-m", Model);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "plausibility_nll_quantiles: 1,001 quantiles of NLL/char over 2,400 training names (5% ");
    }

    [TestMethod]
    [DataRow("--top-p", "0", "makemore: --top-p must be a number > 0 and ≤ 1 (got 0)")]
    [DataRow("--top-p", "1.5", "makemore: --top-p must be a number > 0 and ≤ 1 (got 1.5)")]
    [DataRow("--max-length", "0", "makemore: --max-length must be between 1 and 10000 (got 0)")]
    [DataRow("--min-length", "-1", "makemore: --min-length must be between 0 and 10000 (got -1)")]
    [DataRow("--beam", "0", "makemore: --beam must be at least 1 (got 0)")]
    [DataRow("--max-attempts", "0", "makemore: --max-attempts must be at least 1 (got 0)")]
    [DataRow("--split-seed", "-3", "makemore: --split-seed must be at least 0 (got -3)")]
    public void OutOfRangeFlagsAreNamed(string flag, string value, string expected)
    {
        var (code, output, error) = Run("sample", "-m", Model, flag, value);
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual(expected, error.Trim());
    }

    [TestMethod]
    [DataRow("--starts-with", "ba", "--exclude", "a", "makemore: --starts-with 'ba' contains 'a', which --exclude 'a' forbids: no name can satisfy both.")]
    [DataRow("--min-length", "9", "--max-length", "3", "makemore: --min-length 9 is greater than --max-length 3: no name can satisfy both.")]
    [DataRow("--ends-with", "9", "--max-length", "9", "makemore: --ends-with '9' contains '9' (U+0039) at position 1, which is not in the model's vocabulary (27 symbols: .abcdefghijklmnopqrstuvwxyz).")]
    [DataRow("--contains", "abcdef", "--max-length", "5", "makemore: No name of at most --max-length 5 characters can satisfy --contains 'abcdef': the shortest that does, 'abcdef', has 6.")]
    [DataRow("--prefix", "a", "--starts-with", "b", "makemore: give --prefix or --starts-with, not both")]
    public void UnsatisfiableConstraintsAreUsageErrors(string flag1, string value1, string flag2, string value2, string expected)
    {
        var (code, output, error) = Run("sample", "-m", Model, flag1, value1, flag2, value2);
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual(expected, error.Trim());
    }

    [TestMethod]
    [DataRow("--starts-with zzz --max-length 2", "makemore: No name of at most --max-length 2 characters can satisfy --starts-with 'zzz': the shortest that does, 'zzz', has 3.")]
    [DataRow("--prefix zzz --max-length 2", "makemore: No name of at most --max-length 2 characters can satisfy --prefix 'zzz': the shortest that does, 'zzz', has 3.")]
    [DataRow("--beam 5 --starts-with zzz --max-length 2", "makemore: No name of at most --max-length 2 characters can satisfy --starts-with 'zzz': the shortest that does, 'zzz', has 3.")]
    [DataRow("--starts-with an --ends-with na --contains xyz --max-length 6",
        "makemore: No name of at most --max-length 6 characters can satisfy --starts-with 'an', --ends-with 'na' and --contains 'xyz': the shortest that does, 'anxyzna', has 7.")]
    [DataRow("--starts-with ann --ends-with nna --max-length 3",
        "makemore: No name of at most --max-length 3 characters can satisfy --starts-with 'ann' and --ends-with 'nna': the shortest that does, 'anna', has 4.")]
    [DataRow("--contains ax --exclude x", "makemore: --contains 'ax' contains 'x', which --exclude 'x' forbids: no name can satisfy both.")]
    [DataRow("--starts-with ab --ends-with ba --contains aba --min-length 4 --max-length 4 --exclude cdefghijklmnopqrstuvwxyz",
        "makemore: No name of --min-length 4 to --max-length 4 characters can satisfy --starts-with 'ab', --ends-with 'ba', --contains 'aba' and --exclude 'cdefghijklmnopqrstuvwxyz' (the shortest that does, 'aba', has 3).")]
    public void ConstraintsTheDecoderCannotMeetTogetherAreUsageErrorsNamingTheFlags(string flags, string expected)
    {
        var (code, output, error) = Run(["sample", "-m", Model, .. flags.Split(' ')]);
        Assert.AreEqual(2, code, output);
        Assert.AreEqual("", output);
        Assert.AreEqual(expected, error.Trim());
    }

    [TestMethod]
    public void RegexBudgetIsNamed()
    {
        var (code, _, error) = Run("sample", "-m", Model, "-n", "2", "--regex", "^q{7}$", "--max-attempts", "30");
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "No name matched the pattern '^q{7}$' in 30 draws");
    }
}

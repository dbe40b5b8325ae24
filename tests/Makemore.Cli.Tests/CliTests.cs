using System.Text.Json;
using Makemore.Cli;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>The makemore command, run in process.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CliTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-cli-").FullName;
        File.WriteAllLines(Path.Combine(_folder, "names.txt"), TestData.Tiny.Concat(["emily", "harper", "evelyn", "abigail", "zoe", "quinn", "jack", "wyatt", "noah", "james"]));
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    [TestMethod]
    public void TrainSampleScoreEvalRoundTrip()
    {
        var train = Run("train", "-i", InFolder("names.txt"), "-o", InFolder("m.zip"), "--order", "3", "--smoothing", "kneser-ney", "--split", "none", "--samples", "3");
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, "3-gram model, kneser-ney");
        StringAssert.Contains(train.Output, "all ");
        Assert.IsTrue(File.Exists(InFolder("m.zip")));

        var sample = Run("sample", "-m", InFolder("m.zip"), "-n", "4", "--seed", "3");
        Assert.AreEqual(0, sample.Code, sample.Error);
        var names = sample.Output.ReplaceLineEndings("\n").Split('\n')[..^1]; // one line per name; an empty name is an empty line
        Assert.HasCount(4, names);
        Assert.IsTrue(names.All(n => !n.Contains('.')), "no boundary dots");
        Assert.AreEqual(sample.Output, Run("sample", "-m", InFolder("m.zip"), "-n", "4", "--seed", "3").Output, "seeded");

        var score = Run("score", "-m", InFolder("m.zip"), "emma", "zoe", "--json");
        Assert.AreEqual(0, score.Code, score.Error);
        var scores = JsonDocument.Parse(score.Output).RootElement;
        Assert.AreEqual(2, scores.GetArrayLength());
        Assert.AreEqual("emma", scores[0].GetProperty("name").GetString());
        Assert.AreEqual(5, scores[0].GetProperty("count").GetInt32());
        Assert.IsLessThan(0.0, scores[0].GetProperty("log_likelihood").GetDouble());

        var eval = Run("eval", "-m", InFolder("m.zip"), "-i", InFolder("names.txt"), "--json");
        Assert.AreEqual(0, eval.Code, eval.Error);
        var metrics = JsonDocument.Parse(eval.Output).RootElement;
        foreach (string key in new[] { "nll", "bits_per_char", "perplexity", "count" })
            Assert.IsTrue(metrics.TryGetProperty(key, out _), key);
        Assert.AreEqual(metrics.GetProperty("nll").GetDouble() / Math.Log(2), metrics.GetProperty("bits_per_char").GetDouble(), 1e-9);
    }

    [TestMethod]
    public void SoftmaxTrainsWithProgressAndScores()
    {
        var train = Run("train", "--type", "softmax", "--block-size", "2", "--steps", "30", "--lr", "10", "-i", InFolder("names.txt"), "-o", InFolder("s.zip"), "--split", "none");
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, "softmax regression, block 2");
        StringAssert.Contains(train.Error, "step     30/30");
        Assert.AreEqual(0, Run("score", "-m", InFolder("s.zip"), "emma").Code);
    }

    [TestMethod]
    [DataRow("train", "--order", "9")]
    [DataRow("train", "--smoothing", "laplace")]
    [DataRow("train", "--type", "hypernetwork")]
    [DataRow("train", "--order", "two")]
    [DataRow("train", "--split", "halves")]
    [DataRow("train", "ngram", "--memory", "lots")]
    [DataRow("sample", "-m", "/no/such.zip")]
    [DataRow("sample", "-n", "3")]
    [DataRow("eval", "-m", "/no/such.zip")]
    [DataRow("split", "-i", "/no/such/names.txt")]
    public void BadArgumentsGiveOneLineAndExitCodeTwo(params string[] args)
    {
        var (code, _, error) = Run(args.Select(a => a.Replace("$", _folder)).ToArray());
        Assert.AreEqual(2, code, error);
        Assert.AreEqual(1, error.Trim().Split('\n').Length, error);
        StringAssert.StartsWith(error, "makemore: ");
    }

    [TestMethod]
    public void TrainWithinATinyMemoryBudgetGivesTheSameModel()
    {
        // 2K: the 6-gram counts of these 20 names (about 150 distinct) spill several runs; the figures must not move.
        string[] common = ["train", "ngram", "-i", InFolder("names.txt"), "--order", "6", "--smoothing", "kneser-ney", "--split", "none", "--samples", "0", "--json"];
        var inMemory = Run([.. common, "-o", InFolder("memory-none.zip")]);
        var budgeted = Run([.. common, "-o", InFolder("memory-2k.zip"), "--memory", "2K"]);
        Assert.AreEqual(0, inMemory.Code, inMemory.Error);
        Assert.AreEqual(0, budgeted.Code, budgeted.Error);
        double Nll(string json) => JsonDocument.Parse(json).RootElement.GetProperty("metadata").GetProperty("all_nll").GetDouble();
        Assert.AreEqual(Nll(inMemory.Output), Nll(budgeted.Output));
        var a = Run("score", "-m", InFolder("memory-none.zip"), "emma", "zoey", "--json");
        var b = Run("score", "-m", InFolder("memory-2k.zip"), "emma", "zoey", "--json");
        Assert.AreEqual(a.Output, b.Output);
    }

    [TestMethod]
    public void UnknownCharacterInAScoredNameIsOneLine()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("u.zip"), "--split", "none", "--samples", "0").Code);
        var (code, _, error) = Run("score", "-m", InFolder("u.zip"), "zoë");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "'ë' (U+00EB) at column 3");
    }

    [TestMethod]
    public void LectureFiguresOnTheOriginalFile()
    {
        string original = TestData.OriginalNamesPathOrInconclusive();
        var train = Run("train", "-i", original, "-o", InFolder("bigram.zip"), "--order", "2", "--smoothing", "add-k:1", "--split", "none", "--samples", "0");
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, "228,146          2.45458", "docs/reference-figures.md: bigram add-1, full file, 2.454577 over 228,146 characters");
        var sample = Run("sample", "-m", InFolder("bigram.zip"), "-n", "5", "--seed", "2147483647", "--rng", "lecture");
        Assert.AreEqual("mor\naxx\nminaymoryles\nkondlaisah\nanchshizarie\n", sample.Output.ReplaceLineEndings("\n"), "docs/reference-figures.md: the 2022 lecture's samples");
    }

    [TestMethod]
    public void SplitWritesTheLectureParts()
    {
        string original = TestData.OriginalNamesPathOrInconclusive();
        var split = Run("split", "--protocol", "lecture", "-i", original, "-o", InFolder("splits"));
        Assert.AreEqual(0, split.Code, split.Error);
        Assert.HasCount(25_626, File.ReadAllLines(InFolder("splits/train.txt")));
        var dev = File.ReadAllLines(InFolder("splits/dev.txt"));
        Assert.HasCount(3_203, dev);
        CollectionAssert.AreEqual(new[] { "amay", "aytana", "jenevi" }, dev.Take(3).ToArray());
        Assert.HasCount(3_204, File.ReadAllLines(InFolder("splits/test.txt")));
    }

    [TestMethod]
    public void EveryCommandHasHelpWithAnExample()
    {
        foreach (string command in new[] { "train", "eval", "sample", "score", "split", "sweep", "complete", "info" })
        {
            var (code, output, _) = Run(command, "--help");
            Assert.AreEqual(0, code, command);
            StringAssert.Contains(output, "Example: makemore " + command, command);
        }
    }

    [TestMethod]
    public void InfoShowsHyperParametersAndTheMetricsSavedWithTheModel()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("i.zip"), "--order", "3", "--smoothing", "kneser-ney", "--samples", "0").Code);
        var (code, output, error) = Run("info", "-m", InFolder("i.zip"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "order:      3");
        StringAssert.Contains(output, "smoothing:  kneser-ney");
        StringAssert.Contains(output, "dev_nll: ");
        StringAssert.Contains(output, "split: lecture");
    }

    [TestMethod]
    public void CompleteListsNextCharactersAndCompletions()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("c.zip"), "--split", "none", "--samples", "0").Code);
        var (code, output, error) = Run("complete", "-m", InFolder("c.zip"), "em", "--top", "3", "-n", "2");
        Assert.AreEqual(0, code, error);
        var completions = output.ReplaceLineEndings("\n").Split("completions:\n")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, completions);
        Assert.IsTrue(completions.All(c => c.Trim().StartsWith("em", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void SweepMarksTheBestOnDevAndReportsTestOnce()
    {
        string original = TestData.OriginalNamesPathOrInconclusive();
        var (code, output, error) = Run("sweep", "-i", original, "--order", "3", "--grid", "0.1,0.2,0.5", "--plot", InFolder("sweep.png"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "0.2    2.19139  2.22227  ← best on dev");
        StringAssert.Contains(output, "best k = 0.2: dev 2.22227, test 2.22348", "docs/reference-figures.md, E03");
        AssertPng(InFolder("sweep.png"));
    }

    [TestMethod]
    public void PlotsAreWritten()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("p.zip"), "--split", "none", "--samples", "0").Code);
        string[][] commands =
        [
            ["plot", "bigram", "-i", InFolder("names.txt"), "-o", InFolder("bigram.png")],
            ["plot", "probabilities", "-m", InFolder("p.zip"), "-o", InFolder("probabilities.png")],
            ["plot", "surprisal", "-m", InFolder("p.zip"), "emma", "-o", InFolder("surprisal.png")],
            ["plot", "loss", "-i", InFolder("names.txt"), "--steps", "20", "--lr", "5", "-o", InFolder("loss.png")],
            ["plot", "sweep", "-i", InFolder("names.txt"), "--order", "2", "--grid", "0.1,1", "-o", InFolder("plot-sweep.png")],
        ];
        foreach (string[] args in commands)
        {
            var (code, _, error) = Run(args);
            Assert.AreEqual(0, code, $"{string.Join(' ', args)}: {error}");
            AssertPng(args[^1]);
        }
        var refused = Run("plot", "probabilities", "-m", InFolder("i-do-not-exist.zip"), "-o", InFolder("x.png"));
        Assert.AreEqual(2, refused.Code);
    }

    private static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.IsGreaterThan(2_000, bytes.Length, path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4], path);
    }

    [TestMethod]
    public void TrainJsonAndSampleOnlyForScripts()
    {
        var (code, output, error) = Run("train", "-i", InFolder("names.txt"), "-o", InFolder("j.zip"), "--json", "--samples", "2");
        Assert.AreEqual(0, code, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.AreEqual(2, json.GetProperty("samples").GetArrayLength());
        Assert.IsTrue(json.GetProperty("metadata").TryGetProperty("dev_nll", out _));
        var sampleOnly = Run("train", "-o", InFolder("j.zip"), "--sample-only", "--samples", "3");
        Assert.AreEqual(0, sampleOnly.Code, sampleOnly.Error);
        Assert.AreEqual(Run("sample", "-m", InFolder("j.zip"), "-n", "3").Output, sampleOnly.Output, "--sample-only samples like 'sample'");
    }

    [TestMethod]
    public void ASavedModelScoresIdenticallyInAFreshProcess()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("fresh.zip"), "--order", "3", "--smoothing", "kneser-ney", "--samples", "0").Code);
        string inProcess = Run("score", "-m", InFolder("fresh.zip"), "emma", "zoe", "--json").Output;
        using var process = Start("score", "-m", InFolder("fresh.zip"), "emma", "zoe", "--json");
        string fresh = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, error);
        Assert.AreEqual(inProcess, fresh, "Model.Load in a new process gives the same scores, to the last digit");
    }
}

using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary><c>makemore train --type rnn|gru|lstm</c> on tiny settings, and the commands that work on every model.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CliSequenceTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-sequence-").FullName;
        File.WriteAllLines(InFolder("names.txt"), File.ReadLines(TestData.BundledNamesPath).Take(1000));
        // Other names with the same 26 letters: a model of one file fits the other's shapes exactly.
        File.WriteAllLines(InFolder("other.txt"), File.ReadLines(TestData.BundledNamesPath).Skip(1000).Take(1000));
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    private static string[] Tiny(string type, string zip, params string[] more) =>
        ["train", "-i", InFolder("names.txt"), "--type", type, "-o", InFolder(zip), "--steps", "100", "--eval-every", "50",
            "--n-embd", "8", .. (type == "transformer" ? Array.Empty<string>() : ["--n-embd2", "16"]), "--samples", "3", "-q", .. more];

    [TestMethod]
    [DataRow("rnn", "RNN (Mikolov et al. 2010)")]
    [DataRow("gru", "GRU (Cho et al. 2014)")]
    [DataRow("lstm", "LSTM (Hochreiter & Schmidhuber 1997)")]
    public void EachTypeTrainsAndWorksWithEveryCommand(string type, string cell)
    {
        string zip = type + ".zip";
        var train = Run(Tiny(type, zip));
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, $"emb 8 → {type.ToUpperInvariant()} 16 → 27");
        var info = Run("info", "-m", InFolder(zip));
        Assert.AreEqual(0, info.Code, info.Error);
        StringAssert.Contains(info.Output, cell);
        StringAssert.Contains(info.Output, "best_dev_step: ");
        Assert.AreEqual(0, Run("score", "-m", InFolder(zip), "emma").Code);
        Assert.AreEqual(0, Run("eval", "-m", InFolder(zip), "-i", InFolder("names.txt")).Code);
        var sample = Run("sample", "-m", InFolder(zip), "-n", "3", "--seed", "5");
        Assert.AreEqual(0, sample.Code, sample.Error);
        Assert.AreEqual(sample.Output, Run("sample", "-m", InFolder(zip), "-n", "3", "--seed", "5").Output);
    }

    [TestMethod]
    [DataRow("transformer", "Transformer, 2 blocks × (2 heads, C 8, MLP 32)", "--n-layer", "2", "--n-head", "2")]
    [DataRow("bow", "bag of words")]
    public void BagOfWordsAndTransformerTrainAndWorkWithEveryCommand(string type, string model, params string[] more)
    {
        string zip = type + ".zip";
        var train = Run(Tiny(type, zip, more));
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, model);
        StringAssert.Contains(Run("info", "-m", InFolder(zip)).Output, "best_dev_step: ");
        Assert.AreEqual(0, Run("score", "-m", InFolder(zip), "emma", new string('a', 40)).Code, "a name longer than the block is scored too");
        var sample = Run("sample", "-m", InFolder(zip), "-n", "3", "--seed", "5");
        Assert.AreEqual(0, sample.Code, sample.Error);
        Assert.AreEqual(sample.Output, Run("sample", "-m", InFolder(zip), "-n", "3", "--seed", "5").Output);
        var heads = Run(Tiny("transformer", "never.zip", "--n-head", "3"));
        Assert.AreEqual(2, heads.Code, "3 heads do not divide n_embd 8");
    }

    [TestMethod]
    public void ATeacherIsDistilledIntoSequenceModelsOnly()
    {
        var teacher = Run("train", "-i", InFolder("names.txt"), "--order", "3", "--smoothing", "kneser-ney", "-o", InFolder("teacher.zip"), "--samples", "0", "-q");
        Assert.AreEqual(0, teacher.Code, teacher.Error);
        var plain = Run(Tiny("gru", "plain.zip"));
        var student = Run(Tiny("gru", "student.zip", "--teacher", InFolder("teacher.zip"), "--teacher-weight", "0.8"));
        Assert.AreEqual(0, student.Code, student.Error);
        string Score(string zip) => Run("score", "-m", InFolder(zip), "emma", "--json").Output;
        Assert.AreNotEqual(Score("plain.zip"), Score("student.zip"), "the teacher changes what is learned");

        var mlp = Run("train", "-i", InFolder("names.txt"), "--type", "mlp", "--steps", "10", "-o", InFolder("never.zip"), "--teacher", InFolder("teacher.zip"));
        Assert.AreEqual(2, mlp.Code);
        StringAssert.Contains(mlp.Error, "unknown option '--teacher' for 'makemore train mlp'"); // only kinds that can distil have the flag
        var weight = Run(Tiny("gru", "never.zip", "--teacher", InFolder("teacher.zip"), "--teacher-weight", "1.5"));
        Assert.AreEqual(2, weight.Code);
        StringAssert.Contains(weight.Error, "--teacher-weight must be at most 1 (got 1.5)");
    }

    [TestMethod]
    [DataRow("gru")]
    [DataRow("transformer", "--n-layer", "2", "--n-head", "2", "--dropout", "0.2")] // the dropout masks resume too
    public void ResumeFromACheckpointEqualsOneLongRun(string type, params string[] more)
    {
        Assert.AreEqual(0, Run(Tiny(type, "straight.zip", more)).Code);
        var first = Run(Tiny(type, "first.zip", [.. more, "--checkpoint", InFolder("run.ckpt")]).Select(a => a == "100" ? "50" : a).ToArray());
        Assert.AreEqual(0, first.Code, first.Error);
        var resumed = Run(Tiny(type, "resumed.zip", [.. more, "--resume", InFolder("run.ckpt")]));
        Assert.AreEqual(0, resumed.Code, resumed.Error);
        string Score(string zip) => Run("score", "-m", InFolder(zip), "emma", "isabella", "--json").Output;
        Assert.AreNotEqual(Score("straight.zip"), Score("first.zip"), "50 steps are not 100");
        Assert.AreEqual(Score("straight.zip"), Score("resumed.zip"), "50 + resumed 50 = 100 straight");
    }

    [TestMethod]
    [DataRow("gru")]
    [DataRow("rnn")]
    public void ResumingOnOtherDataIsRefusedNamingBothFiles(string type)
    {
        var first = Run(Tiny(type, "first.zip", "--checkpoint", InFolder("mid.ckpt")).Select(a => a == "100" ? "50" : a).ToArray());
        Assert.AreEqual(0, first.Code, first.Error);
        var other = Run(Tiny(type, "mixed.zip", "--resume", InFolder("mid.ckpt")).Select(a => a == InFolder("names.txt") ? InFolder("other.txt") : a).ToArray());
        Assert.AreEqual(2, other.Code, "a model trained half on names.txt, half on other.txt is not what either run asked for");
        string line = other.Error.Trim();
        Assert.AreEqual(1, line.Split('\n').Length, line);
        StringAssert.StartsWith(line, $"makemore: The checkpoint {InFolder("mid.ckpt")} was written on other data (names.txt sha256:");
        StringAssert.Contains(line, "than this run's (other.txt sha256:");
        Assert.IsFalse(File.Exists(InFolder("mixed.zip")), "nothing is saved");
        Assert.AreEqual(0, Run(Tiny(type, "same.zip", "--resume", InFolder("mid.ckpt"))).Code, "the same file resumes");
    }

    [TestMethod]
    public void ResumingWithFewerStepsThanTheCheckpointIsRefused()
    {
        var first = Run(Tiny("gru", "hundred.zip", "--checkpoint", InFolder("hundred.ckpt")));
        Assert.AreEqual(0, first.Code, first.Error);
        var fewer = Run(Tiny("gru", "fewer.zip", "--resume", InFolder("hundred.ckpt")).Select(a => a == "100" ? "60" : a).ToArray());
        Assert.AreEqual(2, fewer.Code, "60 steps would save the checkpoint's 100-step model as a 60-step run");
        Assert.AreEqual($"makemore: The checkpoint {InFolder("hundred.ckpt")} is at step 100, beyond this run's last step, 60: "
            + "resuming would train nothing and keep the step-100 model; give at least 100 steps.", fewer.Error.Trim());
        Assert.IsFalse(File.Exists(InFolder("fewer.zip")));
        var more = Run(Tiny("gru", "more.zip", "--resume", InFolder("hundred.ckpt")).Select(a => a == "100" ? "120" : a).ToArray());
        Assert.AreEqual(0, more.Code, "more steps than the first run: it goes on");
    }

    [TestMethod]
    public void ResumingWithAnotherVocabularyNamesBothSizes()
    {
        var first = Run(Tiny("gru", "plain.zip", "--checkpoint", InFolder("vocabulary.ckpt")).Select(a => a == "100" ? "50" : a).ToArray());
        Assert.AreEqual(0, first.Code, first.Error);
        // --unknown map adds one symbol for characters outside the vocabulary: 28 instead of 27.
        var mapped = Run(Tiny("gru", "mapped.zip", "--resume", InFolder("vocabulary.ckpt"), "--unknown", "map"));
        Assert.AreEqual(2, mapped.Code);
        Assert.AreEqual($"makemore: The checkpoint {InFolder("vocabulary.ckpt")} holds a model of 27 symbols, this run's has 28: "
            + "resume on the same data, with the same unknown-character policy, as the run that wrote it.", mapped.Error.Trim());
    }

    [TestMethod]
    public void ACosineWarmupLongerThanTheRunIsAWarningAndTheRunGoesOn()
    {
        var run = Run(Tiny("gru", "warm.zip", "--lr-schedule", "cosine:100000"));
        Assert.AreEqual(0, run.Code, run.Error);
        Assert.IsTrue(File.Exists(InFolder("warm.zip")));
        Assert.AreEqual("makemore: warning: the cosine schedule's warm-up (100000 steps) is longer than the run (100 steps): "
            + "the learning rate only rises, to 0.1 % of the base rate at the last step", run.Error.Trim());
    }

    [TestMethod]
    public void AVeryLongLineIsNamedAndMaxNameLengthLeavesItOut()
    {
        string path = InFolder("long.txt");
        File.WriteAllLines(path, ["emma", "", "olivia", new string('a', 1_000_000), "ava", "isabella", "sophia", "mia", "amelia", "ella", "anna", "liam"]);
        string[] Long(params string[] more) =>
            ["train", "-i", path, "--type", "gru", "-o", InFolder("long.zip"), "--steps", "5", "--n-embd", "8", "--n-embd2", "8", "--samples", "0", "-q",
                "--split", "none", .. more];
        var refused = Run(Long());
        Assert.AreEqual(2, refused.Code);
        Assert.AreEqual($"makemore: line 4 of {path} is 1,000,000 characters long, and gru models take names of at most 4,095: "
            + "leave the longer ones out with --max-name-length 8 (the longest of the others), or fix the line", refused.Error.Trim());
        var skipped = Run(Long("--max-name-length", "8"));
        Assert.AreEqual(0, skipped.Code, skipped.Error);
        Assert.AreEqual("makemore: left out 1 of 11 names, longer than --max-name-length 8", skipped.Error.Trim());
        StringAssert.Contains(skipped.Output, "(10 names)");
    }
}

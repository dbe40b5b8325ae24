using System.Diagnostics;
using System.Text.Json;
using Makemore.Cli;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// What a user sees for awkward data files, names to score, options of <c>train</c> and model paths: one line and exit 2
/// for a mistake, a model for anything that is a valid list of names. Each row is a case of docs/reliability.md.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliInputTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-input-").FullName;
        File.WriteAllLines(InFolder("names.txt"), TestData.Tiny);
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("m.zip"), "--order", "3", "--smoothing", "kneser-ney", "--split", "none", "--samples", "0").Code);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    [TestMethod]
    [DataRow("empty", "", "has no names: it is empty or every line is blank", DisplayName = "empty file")]
    [DataRow("blank", "\n  \n\t\n", "has no names: it is empty or every line is blank", DisplayName = "only blank lines")]
    [DataRow("utf8", "emma\nol\u00ff", ":2:3: byte 0xFF is not valid UTF-8; save the file as UTF-8", DisplayName = "invalid UTF-8")]
    [DataRow("emoji", "emma\nan😀na\n", ":2:3: '😀' (U+1F600) in 'an😀na' is outside the Basic Multilingual Plane", DisplayName = "emoji")]
    public void BadDataFilesAreOneLineNamingWhereAndWhy(string name, string content, string expected)
    {
        string path = InFolder(name + ".txt");
        if (name == "utf8")
            File.WriteAllBytes(path, [.. "emma\nol"u8, 0xFF, .. "via\n"u8]); // a Latin-1 'ÿ' byte
        else
            File.WriteAllText(path, content);
        var run = Run("train", "-i", path, "-o", InFolder("bad.zip"), "--split", "none");
        Assert.AreEqual(2, run.Code, run.Output);
        StringAssert.Contains(run.Error, expected);
        Assert.AreEqual(1, run.Error.TrimEnd().Split('\n').Length, "one line");
        Assert.IsFalse(File.Exists(InFolder("bad.zip")));
    }

    [TestMethod]
    public void AFolderOrAMissingFileAsInputIsOneLine()
    {
        var folder = Run("train", "-i", _folder);
        Assert.AreEqual(2, folder.Code);
        StringAssert.Contains(folder.Error, "is a folder: give a text file with one name per line");
        var missing = Run("train", "-i", InFolder("nope.txt"));
        Assert.AreEqual(2, missing.Code);
        StringAssert.Contains(missing.Error, "no such file");
    }

    [TestMethod]
    public void CrlfAndAByteOrderMarkAreNotCharactersOfTheNames()
    {
        File.WriteAllBytes(InFolder("crlf.txt"), [0xEF, 0xBB, 0xBF, .. "emma\r\nolivia\r\nava\r\n"u8]);
        var run = Run("train", "-i", InFolder("crlf.txt"), "-o", InFolder("crlf.zip"), "--split", "none", "--samples", "0");
        Assert.AreEqual(0, run.Code, run.Error);
        StringAssert.Contains(run.Output, "8 symbols"); // . a e i l m o v
        var info = Run("info", "-m", InFolder("crlf.zip"));
        StringAssert.Contains(info.Output, "8 symbols: .aeilmov");
    }

    [TestMethod]
    public void NonAsciiNamesTrainAndScore()
    {
        File.WriteAllText(InFolder("accents.txt"), "zoë\njosé\nrenée\nbjörn\n");
        var run = Run("train", "-i", InFolder("accents.txt"), "-o", InFolder("accents.zip"), "--split", "none", "--samples", "0");
        Assert.AreEqual(0, run.Code, run.Error);
        var score = Run("score", "-m", InFolder("accents.zip"), "zoë", "--json");
        Assert.AreEqual(0, score.Code, score.Error);
        Assert.AreEqual(4, JsonDocument.Parse(score.Output).RootElement[0].GetProperty("count").GetInt32());
    }

    [TestMethod]
    public void ATenMegabyteLineIsOneLongNameThatTrainsAndScores()
    {
        File.WriteAllText(InFolder("long.txt"), new string('a', 10_000_000) + "\nab\n");
        var run = Run("train", "-i", InFolder("long.txt"), "-o", InFolder("long.zip"), "--split", "none", "--samples", "1");
        Assert.AreEqual(0, run.Code, run.Error);
        StringAssert.Contains(run.Output, "10,000,004"); // predicted characters: 10,000,001 + 3
        Assert.DoesNotContain("NaN", run.Output);
        Assert.DoesNotContain("Infinity", run.Output);
    }

    [TestMethod]
    [DataRow("Emma", "makemore: 'Emma' contains 'E' (U+0045) at position 1, which is not in the model's vocabulary (13 symbols: .abehilmnopsv); --fold-case scores it as 'emma'",
        DisplayName = "upper case: --fold-case is the way")]
    [DataRow("a😀", "makemore: 'a😀' contains '😀' (U+1F600) at column 2, which is not in the vocabulary (13 symbols: .abehilmnopsv). Train on data that has it, or choose UnknownCharacterPolicy.Skip or MapToUnknown (makemore train --unknown skip|map).",
        DisplayName = "emoji: the character, not half of it")]
    [DataRow("EmmaX", "--unknown skip|map", DisplayName = "folding does not help: no --fold-case hint")]
    public void ANameTheModelCannotScoreSaysWhichCharacterAndWhatWouldScoreIt(string name, string expected)
    {
        var score = Run("score", "-m", InFolder("m.zip"), "anna", name);
        Assert.AreEqual(2, score.Code, score.Output);
        Assert.AreEqual("", score.Output);
        StringAssert.Contains(score.Error.Trim(), expected);
        Assert.AreEqual(name == "Emma", score.Error.Contains("--fold-case", StringComparison.Ordinal), "the hint only where folding makes the name scorable: " + score.Error);
        Assert.AreEqual(0, Run("score", "-m", InFolder("m.zip"), "Emma", "--fold-case").Code);
    }

    [TestMethod]
    public void AnEmptyNameAndOneLongerThanAnyContextScoreFinitely()
    {
        var score = Run("score", "-m", InFolder("m.zip"), "", new string('a', 500), "--json");
        Assert.AreEqual(0, score.Code, score.Error);
        var rows = JsonDocument.Parse(score.Output).RootElement;
        Assert.AreEqual(1, rows[0].GetProperty("count").GetInt32(), "an empty name predicts only its end");
        Assert.AreEqual(501, rows[1].GetProperty("count").GetInt32());
        foreach (var row in rows.EnumerateArray())
            Assert.IsTrue(double.IsFinite(row.GetProperty("log_likelihood").GetDouble()) && row.GetProperty("log_likelihood").GetDouble() < 0);
    }

    [TestMethod]
    [DataRow("--type softmax --steps 0", "--steps must be at least 1 (got 0)")]
    [DataRow("--type softmax --steps -3", "--steps must be at least 1 (got -3)")]
    [DataRow("--type softmax --lr NaN", "--lr must be a finite number > 0 (got NaN)")]
    [DataRow("--type softmax --lr -1", "--lr must be a finite number > 0 (got -1)")]
    [DataRow("--type softmax --l2 Infinity", "--l2 must be a finite number ≥ 0 (got Infinity)")]
    [DataRow("--type softmax --block-size 0", "--block-size must be between 1 and 64 (got 0)")]
    [DataRow("--type softmax --batch-size 0", "--batch-size must be at least 1 (got 0)")]
    [DataRow("--type softmax --threads 0", "--threads must be between 1 and 256 (got 0)")]
    [DataRow("--order 0", "--order must be between 1 and 8 (got 0)")]
    [DataRow("--order 99999999999", "--order must be between 1 and 8 (got 99999999999)")]
    [DataRow("--seed -1", "--seed must be at least 0 (got -1)")]
    [DataRow("--samples -1", "--samples must be at least 0 (got -1)")]
    [DataRow("--smoothing add-k:-1", "add-k")]
    [DataRow("--smoothing kneser-ney:1.5", "kneser-ney:D applies one D")]
    [DataRow("--type lstm2", "unknown model type 'lstm2': use ngram, softmax, mlp, bn-mlp, wavenet, rnn, gru, lstm, bow or transformer")]
    public void TrainOptionsOutOfRangeAreOneLineNamingTheFlag(string options, string expected)
    {
        var run = Run(["train", "-i", InFolder("names.txt"), "-o", InFolder("never.zip"), .. options.Split(' ')]);
        Assert.AreEqual(2, run.Code, run.Output + run.Error);
        StringAssert.StartsWith(run.Error, "makemore: ");
        StringAssert.Contains(run.Error, expected);
        Assert.IsFalse(File.Exists(InFolder("never.zip")));
    }

    [TestMethod]
    public void AMissingModelAndAFolderAsModelAreOneLine()
    {
        var missing = Run("score", "-m", InFolder("missing.zip"), "anna");
        Assert.AreEqual(2, missing.Code);
        StringAssert.Contains(missing.Error, "no such model");
        var folder = Run("score", "-m", _folder, "anna");
        Assert.AreEqual(2, folder.Code);
        StringAssert.Contains(folder.Error, "is a folder, not a model zip");
    }

    [TestMethod]
    public void ClosingThePipeStopsSamplingAtOnce()
    {
        // `makemore sample -n 100000000 | head -3`: the reader leaves after three lines; sampling must stop with it.
        using var process = Start("sample", "-m", InFolder("m.zip"), "-n", "100000000");
        for (int i = 0; i < 3; i++)
            Assert.IsNotNull(process.StandardOutput.ReadLine());
        process.StandardOutput.Close();
        bool exited = process.WaitForExit(30_000); // 10^8 names take minutes: only stopping early finishes in time
        if (!exited)
            process.Kill();
        Assert.IsTrue(exited, "sampling went on after its reader left");
        Assert.AreEqual(MakemoreCli.OutputClosed, process.ExitCode, process.StandardError.ReadToEnd());
    }
}

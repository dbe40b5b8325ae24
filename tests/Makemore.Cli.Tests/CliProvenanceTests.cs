using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Makemore.Cli.Internal;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// A model knows its data: every figure is reported for the file and split the model was fitted on unless the user asks
/// for another (and then a line says so); models built on other models share their data; a finished training is never
/// lost to a closed standard output or replaced by an interrupted one.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliProvenanceTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-provenance-").FullName;
        // 400 bundled names: big enough that a random split's test part differs from the lecture split's.
        File.WriteAllLines(InFolder("names.txt"), TestData.BundledNames().Take(400));
        File.WriteAllLines(InFolder("first200.txt"), TestData.BundledNames().Take(200));
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    private static Dictionary<string, JsonElement> Json(string output) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(output.Trim().Split('\n')[^1])!;

    private static double TrainedTestNll(string output) =>
        double.Parse(output.Split('\n').Single(l => l.StartsWith("test ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [TestMethod]
    public void AModelEvaluatedWithNoFlagsReportsTheTestFigureOfItsOwnSplit()
    {
        // The issue's case: trained on --split random --seed 1, then evaluated; eval used seed 42 (or no split at all).
        string zip = InFolder("r1.zip");
        var train = Run("train", "-i", InFolder("names.txt"), "--order", "3", "--smoothing", "kneser-ney", "--split", "random", "--seed", "1", "-o", zip, "--samples", "0");
        Assert.AreEqual(0, train.Code, train.Error);
        double trained = TrainedTestNll(train.Output);

        foreach (string[] flags in new[] { Array.Empty<string>(), ["--split", "random"], ["--part", "test"] })
        {
            var eval = Run(["eval", "-m", zip, "--json", .. flags]);
            Assert.AreEqual(0, eval.Code, eval.Error);
            var json = Json(eval.Output);
            Assert.AreEqual(trained, json["nll"].GetDouble(), 5e-6, $"eval {string.Join(' ', flags)} gives the test figure train printed");
            Assert.AreEqual(1, json["split_seed"].GetInt32());
            Assert.IsFalse(json.ContainsKey("note"), "the model's own data and split need no note");
        }

        var lecture = Run("eval", "-m", zip, "--split", "lecture");
        Assert.AreEqual(0, lecture.Code, lecture.Error);
        StringAssert.Contains(lecture.Output, "note: the model was trained on its file's split random (seed 1); this is split lecture");
        var otherFile = Run("eval", "-m", zip, "-i", InFolder("first200.txt"));
        Assert.AreEqual(0, otherFile.Code, otherFile.Error);
        StringAssert.Contains(otherFile.Output, $"note: {InFolder("first200.txt")} is not the data the model was trained on");
    }

    [TestMethod]
    public void InfoShowsTheDataFileItsHashAndTheSplit()
    {
        string zip = InFolder("info.zip");
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "--split", "random", "--split-seed", "7", "-o", zip, "--samples", "0").Code);
        var info = Run("info", "-m", zip);
        Assert.AreEqual(0, info.Code, info.Error);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(InFolder("names.txt"))));
        StringAssert.Contains(info.Output, $"data:       {InFolder("names.txt")} (400 names, sha256 {sha[..12]})");
        StringAssert.Contains(info.Output, "split:      split random (seed 7)");
        StringAssert.Contains(info.Output, $"data_sha256: {sha}");
    }

    [TestMethod]
    public void TheNoveltyReportOfSampleUsesTheModelsSplitSeed()
    {
        string zip = InFolder("novelty.zip");
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "--split", "random", "--seed", "3", "-o", zip, "--samples", "0").Code);
        var sample = Run("sample", "-m", zip, "-n", "5");
        Assert.AreEqual(0, sample.Code, sample.Error);
        StringAssert.Contains(sample.Error, "split random (seed 3)");
    }

    [TestMethod]
    public void InterpolatingAModelOfOtherDataIsRefusedUnlessAllowedAndThenClaimsNoTestFigure()
    {
        string whole = InFolder("whole.zip"), part = InFolder("part.zip"), other = InFolder("other-split.zip");
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "--order", "2", "-o", whole, "--samples", "0").Code);
        Assert.AreEqual(0, Run("train", "-i", InFolder("first200.txt"), "--order", "3", "-o", part, "--samples", "0").Code);
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "--order", "3", "--split", "random", "--seed", "5", "-o", other, "--samples", "0").Code);

        var refused = Run("interpolate", "-m", whole, "-m", part, "-i", InFolder("first200.txt"), "-o", InFolder("mix.zip"));
        Assert.AreEqual(2, refused.Code, refused.Output);
        StringAssert.Contains(refused.Error, whole);
        StringAssert.Contains(refused.Error, InFolder("names.txt"));
        StringAssert.Contains(refused.Error, InFolder("first200.txt"));
        StringAssert.Contains(refused.Error, "--allow-other-data");
        Assert.IsFalse(File.Exists(InFolder("mix.zip")));

        var otherSplit = Run("interpolate", "-m", whole, "-m", other, "-i", InFolder("names.txt"), "-o", InFolder("mix.zip"));
        Assert.AreEqual(2, otherSplit.Code, otherSplit.Output);
        StringAssert.Contains(otherSplit.Error, "split random (seed 5)");

        var allowed = Run("interpolate", "-m", whole, "-m", part, "-i", InFolder("first200.txt"), "-o", InFolder("mix.zip"), "--allow-other-data");
        Assert.AreEqual(0, allowed.Code, allowed.Error);
        Assert.DoesNotContain("not seen by any fit", allowed.Output);
        StringAssert.Contains(allowed.Output, "no figure above is a test figure");

        string trigram = InFolder("trigram.zip");
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "--order", "3", "-o", trigram, "--samples", "0").Code);
        var same = Run("interpolate", "-m", whole, "-m", trigram, "-i", InFolder("names.txt"), "-o", InFolder("mix2.zip"));
        Assert.AreEqual(0, same.Code, same.Error);
        StringAssert.Contains(same.Output, "the test figure is the only one not seen by any fit");
        var info = Run("info", "-m", InFolder("mix2.zip"));
        StringAssert.Contains(info.Output, "component1_data_sha256: ");
        StringAssert.Contains(info.Output, "split:      split lecture");
    }

    [TestMethod]
    public void ATeacherOfOtherDataIsRefused()
    {
        string teacher = InFolder("teacher.zip");
        Assert.AreEqual(0, Run("train", "-i", InFolder("first200.txt"), "--order", "3", "-o", teacher, "--samples", "0").Code);
        var run = Run("train", "-i", InFolder("names.txt"), "--type", "bow", "--steps", "3", "--teacher", teacher, "-o", InFolder("student.zip"), "--samples", "0", "-q");
        Assert.AreEqual(2, run.Code, run.Output);
        StringAssert.Contains(run.Error, $"--teacher {teacher} was trained on {InFolder("first200.txt")}");
        StringAssert.Contains(run.Error, InFolder("names.txt"));
        Assert.IsFalse(File.Exists(InFolder("student.zip")));
    }

    [TestMethod]
    public void AClosedStandardOutputStillSavesTheFinishedTraining()
    {
        // `makemore train … | head -3`: the reader leaves after three lines, before the model is saved.
        string zip = InFolder("piped.zip");
        var run = Run(new ClosingWriter(linesBeforeClosing: 3), "train", "-i", InFolder("names.txt"), "--type", "softmax", "--steps", "5", "-o", zip, "-q");
        Assert.AreEqual(MakemoreCli.OutputClosed, run.Code, run.Error);
        Assert.IsTrue(File.Exists(zip), "the finished training is saved whatever happens to standard output");
        Assert.AreEqual(0, Run("eval", "-m", zip).Code);
    }

    [TestMethod]
    public void AnInterruptedRunSavesBesideAnExistingModelAndLeavesItUntouched()
    {
        string zip = InFolder("existing.zip");
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", zip, "--samples", "0").Code);
        byte[] before = File.ReadAllBytes(zip);
        using var process = Start("train", "-i", InFolder("names.txt"), "--type", "softmax", "--steps", "1000000", "-o", zip, "--samples", "0");
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null && !line.StartsWith("step ", StringComparison.Ordinal))
        {
        }
        Assert.IsNotNull(line, "training reports its first step");
        Signal(process);
        string error = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(60_000));
        Assert.AreEqual(130, process.ExitCode, error);
        CollectionAssert.AreEqual(before, File.ReadAllBytes(zip), "an interrupted run never replaces a model that was there before it");
        string beside = InFolder("existing.interrupted.zip");
        Assert.IsTrue(File.Exists(beside));
        StringAssert.Contains(error, $"saved beside {zip}, which is unchanged, as {beside} (dev NLL ");
        StringAssert.Contains(Run("info", "-m", beside).Output, "interrupted: at step ");
    }

    [TestMethod]
    public void ASecondCtrlCSaysWhatWasKept()
    {
        string zip = InFolder("twice.zip");
        using var process = Start("train", "-i", TestData.BundledNamesPath, "--type", "softmax", "--steps", "1000000", "-o", zip, "--samples", "0");
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null && !line.StartsWith("step ", StringComparison.Ordinal))
        {
        }
        Assert.IsNotNull(line, "training reports its first step");
        Signal(process);
        while ((line = process.StandardError.ReadLine()) is not null && !line.Contains("stopping after this step", StringComparison.Ordinal))
        {
        }
        Signal(process); // while the first stop evaluates the model on 32k names and saves it
        string error = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(60_000));
        StringAssert.Contains(error, "makemore: quit at once. ");
        Assert.IsTrue(error.Contains("Nothing was saved.", StringComparison.Ordinal) || error.Contains($"The model was saved: {zip}.", StringComparison.Ordinal), error);
    }

    private static void Signal(Process process)
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Standard output whose reader leaves after some lines, as <c>| head -3</c> does.</summary>
    private sealed class ClosingWriter(int linesBeforeClosing) : StringWriter
    {
        private int _lines;

        public override void WriteLine(string? value)
        {
            if (_lines++ >= linesBeforeClosing)
                throw new OutputClosedException(new IOException("Broken pipe"));
            base.WriteLine(value);
        }
    }
}

using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Makemore.Cli;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// Nothing lost, nothing silently wrong: interrupts, divergence, unwritable outputs, damaged and foreign model files,
/// characters only dev or test has, and reproducible files. Some run the command as its own process (signals, fresh state).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliSafetyTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-safety-").FullName;
        File.WriteAllLines(InFolder("names.txt"), TestData.Tiny.Concat(["emily", "harper", "evelyn", "abigail", "zoe", "quinn", "jack", "wyatt", "noah", "james"]));
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("good.zip"), "--order", "3", "--smoothing", "kneser-ney", "--samples", "0").Code);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    private static string Copy(string from, string to)
    {
        File.Copy(InFolder(from), InFolder(to), overwrite: true);
        return InFolder(to);
    }

    private static void Interrupt(Process process)
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    [TestMethod]
    public void InterruptBeforeTheFirstStepExits130AndKeepsTheOldModel()
    {
        string zip = Copy("good.zip", "interrupt-early.zip");
        byte[] before = File.ReadAllBytes(zip);
        using var process = Start("train", "--type", "softmax", "--block-size", "2", "--steps", "1000000", "-o", zip, "-q");
        Thread.Sleep(300); // the runtime is still starting; training starts after about a second
        Interrupt(process);
        Assert.IsTrue(process.WaitForExit(30_000));
        Assert.AreEqual(130, process.ExitCode, process.StandardError.ReadToEnd());
        CollectionAssert.AreEqual(before, File.ReadAllBytes(zip), "an untrained model never replaces a good one");
    }

    [TestMethod]
    public void InterruptAfterSomeStepsExits130AndSavesAModelMarkedInterrupted()
    {
        string zip = InFolder("interrupt-late.zip");
        using var process = Start("train", "--type", "softmax", "--block-size", "2", "--steps", "1000000", "-o", zip, "--samples", "0");
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null && !line.StartsWith("step ", StringComparison.Ordinal))
        {
        }
        Assert.IsNotNull(line, "training reports its first step");
        Interrupt(process);
        string output = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(60_000));
        Assert.AreEqual(130, process.ExitCode);
        StringAssert.Contains(output, "(interrupted at step ");
        var info = Run("info", "-m", zip);
        Assert.AreEqual(0, info.Code, info.Error);
        StringAssert.Matches(info.Output, new System.Text.RegularExpressions.Regex(@"interrupted: at step [1-9]\d* of 1000000"));
    }

    [TestMethod]
    [DataRow("20", DisplayName = "the loss becomes infinite during training")]
    [DataRow("1", DisplayName = "the only update blows the weights up")]
    public void ADivergingRunWritesNothingAndNamesTheLearningRate(string steps)
    {
        string zip = Copy("good.zip", "diverge.zip");
        byte[] before = File.ReadAllBytes(zip);
        var run = Run("train", "-i", InFolder("names.txt"), "--type", "softmax", "--lr", "1e9", "--steps", steps, "-o", zip, "--samples", "0");
        Assert.AreEqual(1, run.Code, run.Output);
        StringAssert.Contains(run.Error, "diverged");
        StringAssert.Contains(run.Error, "use a smaller --lr than 1E+09");
        StringAssert.Contains(run.Error, "Nothing was saved");
        Assert.DoesNotContain("saved: ", run.Output);
        CollectionAssert.AreEqual(before, File.ReadAllBytes(zip));
    }

    [TestMethod]
    public void AnUnwritableOutputIsRefusedBeforeTraining()
    {
        var run = Run("train", "-i", InFolder("names.txt"), "-o", "/proc/makemore/m.zip", "--samples", "0");
        Assert.AreEqual(2, run.Code, run.Error);
        StringAssert.StartsWith(run.Error, "makemore: ");
        Assert.DoesNotContain("fit:", run.Output, "refused before any training");
        var folder = Run("train", "-i", InFolder("names.txt"), "-o", _folder, "--samples", "0");
        Assert.AreEqual(2, folder.Code);
        StringAssert.Contains(folder.Error, "is a folder");
    }

    [TestMethod]
    [DataRow("score", DisplayName = "score")]
    [DataRow("sample", DisplayName = "sample")]
    [DataRow("eval", DisplayName = "eval")]
    [DataRow("info", DisplayName = "info")]
    [DataRow("complete", DisplayName = "complete")]
    public void AForeignModelIsRefusedByEveryCommand(string command)
    {
        string foreign = InFolder("foreign.zip");
        if (!File.Exists(foreign))
        {
            var ml = new MLContext();
            var data = ml.Data.LoadFromEnumerable([new { X = 1f }, new { X = 3f }]);
            ml.Model.Save(ml.Transforms.NormalizeMinMax("X").Fit(data), data.Schema, foreign);
        }
        string[] args = command switch
        {
            "score" => ["score", "-m", foreign, "anna"],
            "eval" => ["eval", "-m", foreign, "-i", InFolder("names.txt")],
            "complete" => ["complete", "-m", foreign, "an"],
            _ => [command, "-m", foreign],
        };
        var run = Run(args);
        Assert.AreEqual(2, run.Code, run.Output);
        StringAssert.Contains(run.Error, "not a Makemore model");
        Assert.AreEqual("", run.Output);
    }

    [TestMethod]
    public void ADamagedModelIsRefusedAndNeverScores()
    {
        // One bit flipped at 41 byte positions of the model's compressed state entry. A flip that changes what the entry
        // inflates to must be refused. A few deflate bits carry nothing: the padding after the final block, an unused
        // code length, or the end-of-block code itself (the zip reader stops at the entry's declared length, so bytes the
        // damaged code would add past it are never read). Such a copy holds the very same model and must score exactly as the good file
        // does. Which positions those are depends on the saved command line, so on the temporary folder's name.
        byte[] good = File.ReadAllBytes(InFolder("good.zip"));
        long offset, length;
        byte[] state;
        using (var zip = new ZipArchive(new MemoryStream(good)))
        {
            var entry = zip.Entries.Where(e => !e.FullName.StartsWith("Makemore/", StringComparison.Ordinal)).MaxBy(e => e.CompressedLength)!; // the state
            length = entry.CompressedLength;
            offset = FindLocalData(good, entry.FullName);
            state = Inflate(good.AsSpan((int)offset, (int)length), int.MaxValue)!;
        }
        var goodRun = Run("score", "-m", InFolder("good.zip"), "anna");
        Assert.AreEqual(0, goodRun.Code, goodRun.Error);
        int refused = 0;
        var positions = Enumerable.Range(0, 40).Select(k => k * length / 40).Append(length - 1).Distinct(); // the last byte ends in padding
        foreach (long i in positions)
        {
            byte[] damaged = (byte[])good.Clone();
            damaged[offset + i] ^= 0x10;
            File.WriteAllBytes(InFolder("damaged.zip"), damaged);
            var run = Run("score", "-m", InFolder("damaged.zip"), "anna");
            if (Inflate(damaged.AsSpan((int)offset, (int)length), state.Length) is { } content && content.AsSpan().SequenceEqual(state))
            {
                Assert.AreEqual(0, run.Code, $"byte {i} changes no content: {run.Error}");
                Assert.AreEqual(goodRun.Output, run.Output, $"byte {i} changes no content");
                continue;
            }
            Assert.AreEqual(2, run.Code, $"byte {i}: {run.Output}");
            StringAssert.Contains(run.Error, "damaged", $"byte {i}");
            refused++;
        }
        Assert.IsTrue(refused >= 30, $"only {refused} of the flips changed the state");
        var truncated = Run("score", "-m", WriteTruncated(good), "anna");
        Assert.AreEqual(2, truncated.Code);
        StringAssert.Contains(truncated.Error, "damaged");
    }

    // At most the first max bytes raw deflate bytes inflate to (the inflater stops quietly where the input ends, as the
    // zip reader's does), or null when they are not a valid stream.
    private static byte[]? Inflate(ReadOnlySpan<byte> deflated, int max)
    {
        try
        {
            using var inflate = new DeflateStream(new MemoryStream(deflated.ToArray()), CompressionMode.Decompress);
            using var content = new MemoryStream();
            byte[] buffer = new byte[4096];
            int read;
            while (content.Length < max && (read = inflate.Read(buffer, 0, (int)Math.Min(buffer.Length, max - content.Length))) > 0)
                content.Write(buffer, 0, read);
            return content.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static string WriteTruncated(byte[] good)
    {
        File.WriteAllBytes(InFolder("truncated.zip"), good[..(good.Length / 2)]);
        return InFolder("truncated.zip");
    }

    // Where an entry's compressed bytes start: after its local header (30 bytes, the name, the extra field).
    private static long FindLocalData(byte[] zip, string name)
    {
        byte[] nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (int i = 0; i + 30 < zip.Length; i++)
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 3 && zip[i + 3] == 4 &&
                zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
                return i + 30 + nameBytes.Length + BitConverter.ToUInt16(zip, i + 28);
        throw new AssertFailedException($"no local header for {name}");
    }

    [TestMethod]
    public void ACharacterOnlyTestHasIsInTheVocabularyAndScores()
    {
        // 'ö' is in only one name; whichever part it lands in, the model has the symbol and gives it a finite NLL.
        string input = InFolder("umlaut.txt");
        File.WriteAllLines(input, File.ReadAllLines(InFolder("names.txt")).Append("jörg"));
        foreach (string split in new[] { "lecture", "random" })
        {
            var train = Run("train", "-i", input, "-o", InFolder("umlaut.zip"), "--order", "3", "--smoothing", "kneser-ney", "--split", split, "--samples", "0");
            Assert.AreEqual(0, train.Code, train.Error);
            Assert.DoesNotContain("Infinity", train.Output);
            var score = Run("score", "-m", InFolder("umlaut.zip"), "jörg", "--json");
            Assert.AreEqual(0, score.Code, score.Error);
            double ll = System.Text.Json.JsonDocument.Parse(score.Output).RootElement[0].GetProperty("log_likelihood").GetDouble();
            Assert.IsTrue(double.IsFinite(ll) && ll < 0, $"{ll}");
        }
        var strict = Run("score", "-m", InFolder("umlaut.zip"), "josé");
        Assert.AreEqual(2, strict.Code);
        StringAssert.Contains(strict.Error, "'é' (U+00E9) at column 4");
        StringAssert.Contains(strict.Error, "--unknown skip|map");
        Assert.AreEqual(0, Run("train", "-i", input, "-o", InFolder("skip.zip"), "--unknown", "skip", "--samples", "0").Code);
        Assert.AreEqual(0, Run("score", "-m", InFolder("skip.zip"), "josé").Code);
        var wrong = Run("train", "-i", input, "-o", InFolder("skip.zip"), "--unknown", "ignore");
        Assert.AreEqual(2, wrong.Code);
        StringAssert.Contains(wrong.Error, "use error, skip or map");
    }

    [TestMethod]
    [DataRow(new[] { "--order", "3", "--smoothing", "kneser-ney" }, DisplayName = "count model")]
    [DataRow(new[] { "--type", "softmax", "--block-size", "2", "--steps", "50" }, DisplayName = "softmax")]
    public void TheSameRunInTwoProcessesGivesAByteIdenticalZipAndSamples(string[] options)
    {
        var outputs = new List<string>();
        var zips = new List<byte[]>();
        string zip = InFolder("same.zip"); // the command line is saved in the model: the same path in both runs
        for (int run = 0; run < 2; run++)
        {
            using var process = Start(["train", "-i", InFolder("names.txt"), "-o", zip, .. options, "--seed", "7", "--samples", "5", "-q"]);
            string output = process.StandardOutput.ReadToEnd();
            Assert.IsTrue(process.WaitForExit(60_000));
            Assert.AreEqual(0, process.ExitCode, process.StandardError.ReadToEnd());
            outputs.Add(output[output.IndexOf("samples", StringComparison.Ordinal)..]);
            zips.Add(File.ReadAllBytes(zip));
        }
        Assert.AreEqual(outputs[0], outputs[1]);
        CollectionAssert.AreEqual(zips[0], zips[1]);
    }
}

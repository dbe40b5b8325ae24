using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary><c>makemore train --type mlp|bn-mlp|wavenet</c> on tiny settings, and the commands that work on every model.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CliMlpTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-mlp-").FullName;
        File.WriteAllLines(InFolder("names.txt"), File.ReadLines(TestData.BundledNamesPath).Take(1500));
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    private static string[] Tiny(string type, string zip, params string[] more) =>
        ["train", "-i", InFolder("names.txt"), "--type", type, "-o", InFolder(zip), "--steps", "200", "--eval-every", "100",
            "--n-embd", "4", "--n-hidden", "16", "--samples", "3", "-q", .. more];

    [TestMethod]
    [DataRow("mlp", "[3×4→16 tanh]")]
    [DataRow("bn-mlp", "[3×4→16 bn tanh]")]
    [DataRow("bn-mlp", "[3×4→16 bn tanh] → [1×16→16 bn tanh] → [1×16→16 bn tanh]", "--n-layer", "3")]
    [DataRow("wavenet", "[2×4→16 bn tanh] → [2×16→16 bn tanh] → [2×16→16 bn tanh]")]
    public void EachTypeTrainsItsLectureShapeAndWorksWithEveryCommand(string type, string layers, params string[] more)
    {
        string zip = type + more.Length + ".zip";
        var train = Run(Tiny(type, zip, more));
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, layers);
        var info = Run("info", "-m", InFolder(zip));
        Assert.AreEqual(0, info.Code, info.Error);
        StringAssert.Contains(info.Output, $"layers:     emb 4 → {layers} → 27");
        StringAssert.Contains(info.Output, "best_dev_step: ");
        Assert.AreEqual(0, Run("score", "-m", InFolder(zip), "emma").Code);
        Assert.AreEqual(0, Run("eval", "-m", InFolder(zip), "-i", InFolder("names.txt")).Code);
        var sample = Run("sample", "-m", InFolder(zip), "-n", "3", "--seed", "5");
        Assert.AreEqual(0, sample.Code, sample.Error);
        Assert.AreEqual(sample.Output, Run("sample", "-m", InFolder(zip), "-n", "3", "--seed", "5").Output);
        var plot = Run("plot", "embeddings", "-m", InFolder(zip), "-o", InFolder(zip + ".png"));
        Assert.AreEqual(0, plot.Code, plot.Error);
        Assert.IsGreaterThan(10_000L, new FileInfo(InFolder(zip + ".png")).Length, "a real PNG with 27 labelled points");
    }

    [TestMethod]
    public void ResumeFromACheckpointEqualsOneLongRun()
    {
        Assert.AreEqual(0, Run(Tiny("bn-mlp", "straight.zip")).Code);
        // Stop at step 100 with a checkpoint, then continue it to 200: the same model as 200 steps at once.
        var first = Run(Tiny("bn-mlp", "first.zip", "--checkpoint", InFolder("run.ckpt")).Select(a => a == "200" ? "100" : a).ToArray());
        Assert.AreEqual(0, first.Code, first.Error);
        var resumed = Run(Tiny("bn-mlp", "resumed.zip", "--resume", InFolder("run.ckpt")));
        Assert.AreEqual(0, resumed.Code, resumed.Error);
        string Score(string zip) => Run("score", "-m", InFolder(zip), "emma", "isabella", "--json").Output;
        Assert.AreNotEqual(Score("straight.zip"), Score("first.zip"), "100 steps are not 200");
        Assert.AreEqual(Score("straight.zip"), Score("resumed.zip"), "100 + resumed 100 = 200 straight");
    }

    [TestMethod]
    [DataRow("--type wavenet --block-size 6", "power of 2")]
    [DataRow("--type mlp --optimizer adam", "unknown --optimizer 'adam': use sgd or adamw")]
    [DataRow("--type mlp --lr-schedule linear", "unknown --lr-schedule 'linear'")]
    [DataRow("--type mlp --n-embd 0", "--n-embd must be between 1 and 4096 (got 0)")]
    [DataRow("--type wavenet --n-layer 2", "A WaveNet of block 8 has 3 levels")]
    [DataRow("--type mlp --resume nowhere.ckpt", "no such checkpoint: nowhere.ckpt")]
    public void BadMlpOptionsAreOneLine(string options, string expected)
    {
        var run = Run(["train", "-i", InFolder("names.txt"), "-o", InFolder("never.zip"), .. options.Split(' ')]);
        Assert.AreEqual(2, run.Code, run.Output + run.Error);
        StringAssert.Contains(run.Error, expected);
        Assert.IsFalse(File.Exists(InFolder("never.zip")));
    }

    [TestMethod]
    public void PlotLossTrainsAnMlpAndDrawsTrainAndDevCurves()
    {
        var plot = Run("plot", "loss", "-i", InFolder("names.txt"), "--type", "bn-mlp", "--steps", "200", "-o", InFolder("loss.png"));
        Assert.AreEqual(0, plot.Code, plot.Error);
        StringAssert.Contains(plot.Error, "step 200/200: dev ");
        Assert.AreEqual(20, plot.Error.Split('\n').Count(l => l.StartsWith("step ", StringComparison.Ordinal)), "a dev evaluation every 200 / 20 steps");
        Assert.IsGreaterThan(20_000L, new FileInfo(InFolder("loss.png")).Length);
        var wrong = Run("plot", "loss", "--type", "ngram", "-o", InFolder("never.png"));
        Assert.AreEqual(2, wrong.Code);
        StringAssert.Contains(wrong.Error, "use softmax, mlp, bn-mlp, wavenet, rnn, gru, lstm, bow, transformer"); // counts have no steps to plot
    }

    [TestMethod]
    public void InterpolateFitsWeightsOnDevAndBeatsBothModelsThere()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("i2.zip"), "--order", "2", "--samples", "0").Code);
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("i4.zip"), "--order", "4", "--smoothing", "kneser-ney", "--samples", "0").Code);
        var mix = Run("interpolate", "-m", InFolder("i2.zip"), "-m", InFolder("i4.zip"), "-i", InFolder("names.txt"), "-o", InFolder("mix.zip"));
        Assert.AreEqual(0, mix.Code, mix.Error);
        StringAssert.Contains(mix.Output, "weight ");
        double Dev(string zip) => System.Text.Json.JsonDocument.Parse(
            Run("eval", "-m", InFolder(zip), "-i", InFolder("names.txt"), "--split", "lecture", "--part", "dev", "--json").Output).RootElement.GetProperty("nll").GetDouble();
        Assert.IsLessThan(Math.Min(Dev("i2.zip"), Dev("i4.zip")), Dev("mix.zip"), "EM on dev never does worse there than either model");
        StringAssert.Contains(Run("info", "-m", InFolder("mix.zip")).Output, "component 2:");
        var one = Run("interpolate", "-m", InFolder("i2.zip"), "-i", InFolder("names.txt"));
        Assert.AreEqual(2, one.Code);
        StringAssert.Contains(one.Error, "at least two models");
    }

    [TestMethod]
    public void ATimeLimitStopsTrainingAndKeepsTheBestModelOnDev()
    {
        var run = Run(Tiny("mlp", "timed.zip", "--time-limit", "0.005").Select(a => a == "200" ? "1000000" : a).ToArray());
        Assert.AreEqual(0, run.Code, run.Error);
        var info = Run("info", "-m", InFolder("timed.zip")).Output;
        var reached = System.Text.RegularExpressions.Regex.Match(info, @"time_limit: reached at step (\d+)");
        Assert.IsTrue(reached.Success, info);
        Assert.IsLessThan(1_000_000, int.Parse(reached.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), "0.3 s is far fewer than a million steps");
        StringAssert.Contains(info, "best_dev_step: ");
        var wrong = Run(Tiny("mlp", "never.zip", "--time-limit", "-1"));
        Assert.AreEqual(2, wrong.Code);
        StringAssert.Contains(wrong.Error, "--time-limit must be a positive number of minutes");
    }

    [TestMethod]
    public void EmbeddingsOfAModelWithoutThemAreRefused()
    {
        Assert.AreEqual(0, Run("train", "-i", InFolder("names.txt"), "-o", InFolder("bigram.zip"), "--samples", "0").Code);
        var plot = Run("plot", "embeddings", "-m", InFolder("bigram.zip"), "-o", InFolder("none.png"));
        Assert.AreEqual(2, plot.Code);
        StringAssert.Contains(plot.Error, "only MLP-family models");
    }
}

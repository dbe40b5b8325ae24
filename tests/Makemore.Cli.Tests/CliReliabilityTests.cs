using Makemore.Cli;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>The makemore command at the edges: huge counts, extreme temperatures, out-of-range numbers, typos.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CliReliabilityTests
{
    private static string _folder = "";

    // A bigram of TestData.Tiny: its vocabulary is ".abehilmnopsv" (13 symbols).
    private static string Model => Path.Combine(_folder, "tiny.zip");

    [ClassInitialize]
    public static void TrainTinyBigram(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-cli-").FullName;
        File.WriteAllLines(Path.Combine(_folder, "tiny.txt"), TestData.Tiny);
        var (code, _, error) = Run("train", "-i", Path.Combine(_folder, "tiny.txt"), "-o", Model, "--split", "none", "--samples", "0");
        Assert.AreEqual(0, code, error);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>Keeps the first lines written, then stops the command as a closed pipe (e.g. <c>| head -5</c>) would.</summary>
    private sealed class StopAfterLines(int lines) : StringWriter
    {
        private int _written;

        public override void WriteLine(string? value)
        {
            if (_written++ == lines)
                throw new EndOfStreamException($"the reader stopped after {lines} lines");
            base.WriteLine(value);
        }
    }

    [TestMethod]
    public void SampleWritesEachNameAsItIsDrawn()
    {
        // Building all int.MaxValue names first cannot even allocate the list; streaming writes the first five at once.
        var firstFive = new StopAfterLines(5);
        var (code, output, error) = Run(firstFive, "sample", "-m", Model, "-n", int.MaxValue.ToString(), "--seed", "5");
        Assert.AreEqual(1, code, error);
        Assert.AreEqual("makemore: error: the reader stopped after 5 lines", error.Trim());
        Assert.AreEqual(Run("sample", "-m", Model, "-n", "5", "--seed", "5").Output, output);
    }

    [TestMethod]
    public void TinyTemperatureSamplesTheMostLikelyNameAndHugeStillSamples()
    {
        var cold = Run("sample", "-m", Model, "-n", "5", "--temperature", "1e-30");
        Assert.AreEqual(0, cold.Code, cold.Error);
        Assert.AreEqual(string.Concat(Enumerable.Repeat("a\n", 5)), cold.Output.ReplaceLineEndings("\n"), "greedy: '.' → a → '.' are the most likely steps in Tiny");
        var hot = Run("sample", "-m", Model, "-n", "50", "--temperature", "1e30");
        Assert.AreEqual(0, hot.Code, hot.Error);
        Assert.IsGreaterThan(10, hot.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count(), "near-uniform samples rarely repeat");
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("-1")]
    [DataRow("NaN")]
    [DataRow("Infinity")]
    [DataRow("-Infinity")]
    [DataRow("1e999")]
    [DataRow("warm")]
    public void TemperatureOutsideTheRangeIsRefused(string value)
    {
        var (code, output, error) = Run("sample", "-m", Model, "--temperature", value);
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual($"makemore: --temperature must be a finite number > 0 (got {value})", error.Trim());
    }

    [TestMethod]
    [DataRow("sample -m $m -n -1", "--count must be at least 0 (got -1)")]
    [DataRow("sample -m $m -n 99999999999", "--count must be at most 2147483647 (got 99999999999)")]
    [DataRow("sample -m $m -n 1.5", "--count must be a whole number, at least 0 (got '1.5')")]
    [DataRow("sample -m $m --top-k -1", "--top-k must be at least 0 (got -1)")]
    [DataRow("sample -m $m --seed -1", "--seed must be at least 0 (got -1)")]
    [DataRow("sample -m $m --seed 99999999999999999999", "--seed must be at most 9223372036854775807 (got 99999999999999999999)")]
    [DataRow("complete -m $m em --top 0", "--top must be at least 1 (got 0)")]
    [DataRow("complete -m $m em -n -3", "--count must be at least 0 (got -3)")]
    [DataRow("complete -m $m em --seed -1", "--seed must be at least 0 (got -1)")]
    [DataRow("eval -m $m --split random --seed -1", "--seed must be at least 0 (got -1)")]
    [DataRow("split --protocol random --seed -1 -o $f", "--seed must be at least 0 (got -1)")]
    [DataRow("sweep --order 0", "--order must be between 1 and 8 (got 0)")]
    [DataRow("sweep --order 9", "--order must be between 1 and 8 (got 9)")]
    [DataRow("sweep --type softmax --block-size 0", "--block-size must be at least 1 (got 0)")]
    [DataRow("sweep --type softmax --steps 0", "--steps must be at least 1 (got 0)")]
    [DataRow("sweep --grid -1", "--grid must be comma-separated finite numbers ≥ 0, e.g. 0.01,0.1,1 (got '-1')")]
    [DataRow("sweep --grid 0.1,NaN", "--grid must be comma-separated finite numbers ≥ 0, e.g. 0.01,0.1,1 (got '0.1,NaN')")]
    [DataRow("sweep --grid ,", "--grid must be comma-separated finite numbers ≥ 0, e.g. 0.01,0.1,1 (got ',')")]
    [DataRow("plot sweep --order 99 -o $f/s.png", "--order must be between 1 and 8 (got 99)")]
    [DataRow("plot loss --steps 0 -o $f/l.png", "--steps must be at least 1 (got 0)")]
    [DataRow("plot loss --steps -5 -o $f/l.png", "--steps must be at least 1 (got -5)")]
    [DataRow("plot loss --block-size 0 -o $f/l.png", "--block-size must be at least 1 (got 0)")]
    [DataRow("plot loss --lr 0 -o $f/l.png", "--lr must be a finite number > 0 (got 0)")]
    [DataRow("plot loss --lr NaN -o $f/l.png", "--lr must be a finite number > 0 (got NaN)")]
    [DataRow("plot loss --l2 -0.5 -o $f/l.png", "--l2 must be a finite number ≥ 0 (got -0.5)")]
    [DataRow("plot loss --l2 Infinity -o $f/l.png", "--l2 must be a finite number ≥ 0 (got Infinity)")]
    [DataRow("plot loss --lr 1e300 -o $f/l.png", "--lr 1e300 is too large: it must be a finite number > 0 that fits a float (at most 3.4E+38)")]
    [DataRow("train -i $f/tiny.txt --type gru --lr 1e300 -o $f/x.zip", "--lr 1e300 is too large: it must be a finite number > 0 that fits a float (at most 3.4E+38)")]
    [DataRow("train -i $f/tiny.txt --type softmax --l2 1e39 -o $f/x.zip", "--l2 1e39 is too large: it must be a finite number ≥ 0 that fits a float (at most 3.4E+38)")]
    [DataRow("train -i $f/tiny.txt --type mlp --weight-decay 1e300 -o $f/x.zip", "--weight-decay 1e300 is too large: it must be a finite number ≥ 0 that fits a float (at most 3.4E+38)")]
    public void NumbersOutOfRangeAreOneLineNamingTheFlagAndTheRange(string commandLine, string expected)
    {
        string[] args = commandLine.Replace("$m", Model).Replace("$f", _folder).Split(' ');
        var (code, _, error) = Run(args);
        Assert.AreEqual(2, code, error);
        Assert.AreEqual("makemore: " + expected, error.Trim());
        Assert.IsFalse(File.Exists(Path.Combine(_folder, "l.png")), "nothing is drawn");
    }

    [TestMethod]
    public void SurprisalOfAVeryLongNameIsRefused()
    {
        var (code, _, error) = Run("plot", "surprisal", "-m", Model, new string('a', 100_000), "-o", Path.Combine(_folder, "long.png"));
        Assert.AreEqual(2, code);
        Assert.AreEqual("makemore: the name is 100000 characters long; a surprisal plot draws at most 100 (one bar per character)", error.Trim());
    }

    [TestMethod]
    [DataRow("sample", "--prefix", "ez", "makemore: --prefix 'ez' contains 'z' (U+007A) at position 2, which is not in the model's vocabulary (13 symbols: .abehilmnopsv).")]
    [DataRow("sample", "--prefix", "em.a", "makemore: --prefix 'em.a' contains '.' (U+002E) at position 3, which is not in the model's vocabulary (13 symbols: .abehilmnopsv).")]
    [DataRow("complete", "", "émma", "makemore: the prefix 'émma' contains 'é' (U+00E9) at position 1, which is not in the model's vocabulary (13 symbols: .abehilmnopsv)")]
    public void PrefixOutsideTheVocabularyNamesTheCharacterAndItsPosition(string command, string flag, string prefix, string expected)
    {
        string[] args = flag == "" ? [command, "-m", Model, prefix] : [command, "-m", Model, flag, prefix];
        var (code, output, error) = Run(args);
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual(expected, error.Trim());
    }

    [TestMethod]
    [DataRow("trian", "makemore: unknown command 'trian'; did you mean 'train'?", "complete <prefix>")]
    [DataRow("smaple", "makemore: unknown command 'smaple'; did you mean 'sample'?", "complete <prefix>")]
    [DataRow("frobnicate", "makemore: unknown command 'frobnicate'", "complete <prefix>")]
    [DataRow("plot bigrma", "makemore: unknown command 'bigrma'; did you mean 'bigram'?", "surprisal <name>")]
    public void UnknownCommandSuggestsTheNearestAndListsTheCommands(string commandLine, string firstLine, string inHelp)
    {
        var (code, output, error) = Run(commandLine.Split(' '));
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual(firstLine, error.ReplaceLineEndings("\n").Split('\n')[0]);
        StringAssert.Contains(error, "Commands:");
        StringAssert.Contains(error, inHelp);
    }

    [TestMethod]
    [DataRow("sample -m $m --temprature 0.5", "makemore: unknown option '--temprature' for 'makemore sample'; did you mean '--temperature'?")]
    [DataRow("sample -m $m --topk=3", "makemore: unknown option '--topk' for 'makemore sample'; did you mean '--top-k'?")]
    [DataRow("plot loss --step 5 -o $f/l.png", "makemore: unknown option '--step' for 'makemore plot loss'; did you mean '--steps'?")]
    [DataRow("sample --modle $m", "makemore: unknown option '--modle' for 'makemore sample'; did you mean '--model'?")]
    [DataRow("sample -m $m --frobnicate", "makemore: unknown option '--frobnicate' for 'makemore sample' (see 'makemore sample --help')")]
    public void UnknownOptionSuggestsTheNearest(string commandLine, string expected)
    {
        var (code, _, error) = Run(commandLine.Replace("$m", Model).Replace("$f", _folder).Split(' '));
        Assert.AreEqual(2, code);
        Assert.AreEqual(expected, error.Trim());
    }

    [TestMethod]
    public void OneKneserNeyDiscountIsCalledDAsInTheFlag()
    {
        var (code, _, error) = Run("train", "-i", Path.Combine(_folder, "tiny.txt"), "-o", Path.Combine(_folder, "kn.zip"), "--order", "3",
            "--smoothing", "kneser-ney:1.5", "--split", "none", "--samples", "0");
        Assert.AreEqual(2, code);
        Assert.AreEqual("makemore: The Kneser–Ney discount D must be in (0, 1], got 1.5 (kneser-ney:D applies one D to every count class).", error.Trim());
    }

    [TestMethod]
    [DataRow("softmax", "--lr", "50")]
    [DataRow("mlp", "--lr", "0.1")]
    [DataRow("mlp", "--lr-schedule", "step:100000")]
    [DataRow("wavenet", "--lr-schedule", "step:150000")]
    [DataRow("wavenet", "--n-embd", "24")]
    [DataRow("mlp", "--eval-every", "10000")]
    [DataRow("mlp", "--optimizer", "sgd")]
    [DataRow("transformer", "--lr", "0.0005")]
    [DataRow("transformer", "--optimizer", "adamw")]
    [DataRow("transformer", "--eval-every", "500")]
    [DataRow("gru", "--steps", "10000")]
    [DataRow("softmax", "--steps", "300")]
    [DataRow("ngram", "--order", "2")]
    public void EachKindsHelpShowsItsOwnDefault(string kind, string flag, string value)
    {
        // 'train --help' printed "--lr [default: 50]", "--eval-every [default: 10000]", "--optimizer [default: sgd]" for
        // every kind, while the MLPs use 0.1 and the sequence models 5e-4, 500 and AdamW.
        var (code, output, _) = Run("train", kind, "--help");
        Assert.AreEqual(0, code);
        string line = System.Text.RegularExpressions.Regex.Replace(
            string.Join(' ', output.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal)).Take(2)), @"\s+", " ").Trim();
        StringAssert.Contains(line.Split(" --")[0] + " ", $"[default: {value}]", $"{kind}'s {flag}");
    }

    [TestMethod]
    [DataRow("ngram", "--lr")]
    [DataRow("ngram", "--steps")]
    [DataRow("softmax", "--n-embd")]
    [DataRow("bow", "--n-layer")]
    [DataRow("transformer", "--n-embd2")]
    [DataRow("mlp", "--teacher")]
    public void AFlagThatDoesNotApplyToTheKindIsRefused(string kind, string flag)
    {
        // It used to be accepted and silently ignored (--steps on a count model, --n-embd2 on a Transformer).
        var (code, _, error) = Run("train", "--type", kind, flag, "1", "-i", TestData.BundledNamesPath, "-o", Path.Combine(Path.GetTempPath(), "never-written.zip"));
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, $"unknown option '{flag}' for 'makemore train {kind}'");
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Makemore.Examples;
using Makemore.Examples.Lecture;
using Makemore.ML.Data;
using Makemore.ML.Tests;
using LectureProgram = Makemore.Examples.Lecture.Program;

namespace Makemore.ML.TorchSharp.Tests.Examples;

/// <summary>
/// Every chapter and exercise of examples/Lecture runs with tiny settings (the first 2,000 bundled names, a few gradient
/// steps) and says what it should; the checks hold for any names file, so they survive a regenerated data/names.txt.
/// The figures of the original file are in each example's "Expected output" comment and asserted by the figure tests.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class LectureExampleTests
{
    private static string NamesPath
    {
        get
        {
            try
            {
                return TestData.BundledNamesPath;
            }
            catch (FileNotFoundException)
            {
                return TestData.OriginalNamesPathOrInconclusive(); // data/names.txt not generated yet
            }
        }
    }

    private static string RunPart(string name)
    {
        var part = LectureProgram.Find(name) ?? throw new AssertFailedException($"no part named {name}");
        var output = new StringWriter();
        LectureProgram.Run(part, new LectureSettings { NamesPath = NamesPath, Tiny = true }, output);
        return output.ToString();
    }

    private static double Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.IsTrue(match.Success, $"'{pattern}' not found in:\n{output}");
        return double.Parse(match.Groups[1].Value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    private static string Text(string output, string pattern)
    {
        var match = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.IsTrue(match.Success, $"'{pattern}' not found in:\n{output}");
        return match.Groups[1].Value.Trim();
    }

    [TestMethod]
    [DataRow("c01")]
    [DataRow("c02")]
    [DataRow("c03")]
    [DataRow("c04")]
    [DataRow("c05")]
    [DataRow("c06")]
    [DataRow("c07")]
    [DataRow("c08")]
    [DataRow("c09")]
    [DataRow("c10")]
    [DataRow("e01")]
    [DataRow("e02")]
    [DataRow("e03")]
    [DataRow("e04")]
    [DataRow("e05")]
    [DataRow("e06")]
    public void PartRunsWithTinySettingsAndSaysWhatItShould(string name)
    {
        string output = RunPart(name);
        var words = NameList.Read(NamesPath).Take(LectureSettings.TinyNameCount).ToList();
        int events = words.Sum(w => w.Length + 1);
        switch (name)
        {
            case "c01":
                Assert.AreEqual(words.Count, Number(output, @"^len\(words\)\s+(\d+)"));
                Assert.AreEqual(words.Min(w => w.Length), Number(output, @"^min\(len\(w\)\)\s+(\d+)"));
                Assert.AreEqual(words.Max(w => w.Length), Number(output, @"^max\(len\(w\)\)\s+(\d+)"));
                StringAssert.Contains(output, $"words[:10]       {string.Join(" ", words.Take(10))}");
                break;
            case "c02":
                Assert.AreEqual(events, Number(output, @"^(\d+) bigrams"));
                var top = Regex.Matches(output, @"^\(\('(.+)', '(.+)'\), (\d+)\)$", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)).ToList();
                Assert.HasCount(10, top);
                CollectionAssert.AreEqual(top.OrderDescending().ToList(), top, "sorted by count");
                break;
            case "c03":
                StringAssert.Contains(output, "cells that differ from N: 0");
                Assert.AreEqual(events, Number(output, @"; (\d+) events"));
                break;
            case "c04":
                StringAssert.Contains(output, "row <E> sums to 0, column <S> sums to 0");
                StringAssert.Contains(output, "only N['.', '.'] = 0 must be zero");
                Assert.AreEqual(1.0, Number(output, @"sums to ([\d.]+)\)"), 1e-4);
                break;
            case "c05":
                StringAssert.Contains(output, "torch.rand(3) normalised: 0.6064 0.3033 0.0903", "docs/reference-figures.md: torch.rand(3) normalised, any PyTorch version");
                // The lecture's loop (with end dots) and the library's sampler draw the same five names.
                Assert.AreEqual(Text(output, @"^P from N \+ 1:(.*)$").Replace(".", ""), Text(output, @"^NameGenerator:(.*)\(SamplerRng.Lecture").Trim());
                break;
            case "c06":
                StringAssert.Contains(output, "P = F / F.sum(1, keepdim=True): row sums from 1.0000 to 1.0000");
                StringAssert.Contains(output, "but column sums from 1.0000 to 1.0000");
                Assert.AreNotEqual(1.0, Number(output, @"\(the bug\):\s+P\[0\]\.sum\(\) = ([\d.]+)"), 1e-3);
                break;
            case "c07":
                // The hand-written average NLL and ML.NET's evaluator agree.
                Assert.AreEqual(Number(output, @"P from N \+ 1: .*nll/n = ([\d.]+)"), Number(output, @"Evaluate: NLL ([\d.]+)"), 1e-4);
                Assert.AreEqual(events, Number(output, @"P from N \+ 1: .*n = (\d+),"));
                StringAssert.Contains(output, "the loss is infinite");
                break;
            case "c08":
                var rows = Regex.Matches(output, @"^\s+([\d,]+)\s+([\d.]+)\s+(\S+)\s+([\d.]+)$", RegexOptions.Multiline).ToList();
                Assert.HasCount(5, rows);
                var nll = rows.Select(r => double.Parse(r.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
                CollectionAssert.AreEqual(nll.Order().ToList(), nll, "more fake counts, higher training NLL");
                Assert.AreEqual("Infinity", rows[0].Groups[3].Value, "no smoothing: andrejq has a bigram never seen");
                Assert.AreEqual(Math.Log(27), nll[^1], 0.01, "a huge k is the uniform model");
                break;
            case "c09":
                StringAssert.Contains(output, "W[0, :5] = 1.5674 -0.2373 -0.0274 -1.1008 0.2859", "docs/reference-figures.md: torch.randn((27,27))[0,:5] with seed 2147483647");
                Assert.IsLessThan(Number(output, @"^step 0: average NLL on .* = ([\d.]+)"), Number(output, @"^step 2: average NLL on .* = ([\d.]+)"));
                Assert.IsLessThan(Number(output, @"step   1: loss ([\d.]+)"), Number(output, @"step  10: loss ([\d.]+)"));
                Assert.IsLessThan(Number(output, @"^L2 0 .*mean\(W²\) ([\d.]+)"), Number(output, @"^L2 0\.01.*mean\(W²\) ([\d.]+)"), "L2 keeps W smaller");
                break;
            case "c10":
                var loops = Regex.Matches(output, @"^net, .*\): (.*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Replace(".", "").Trim()).ToList();
                var library = Regex.Matches(output, @"^  NameGenerator:(.*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Trim()).ToList();
                Assert.HasCount(2, loops);
                CollectionAssert.AreEqual(library, loops, "the lecture's sampling loop and NameGenerator draw the same names");
                break;
            case "e01":
                Assert.IsLessThan(Number(output, @"order 2, add-k:1: NLL ([\d.]+)"), Number(output, @"order 3, add-k:0: NLL ([\d.]+)"), "the trigram fits its training data better");
                Assert.HasCount(8, Text(output, "^trigram samples: (.*)$").Split(' '));
                break;
            case "e02":
                Assert.AreEqual(1600, Number(output, @"^train\s+(\d+) names"));
                Assert.AreEqual(200, Number(output, @"^dev\s+(\d+) names"));
                Assert.AreEqual(200, Number(output, @"^test\s+(\d+) names"));
                Assert.IsLessThan(Number(output, @"order 2, add-1: train ([\d.]+)"), Number(output, @"order 3, add-1: train ([\d.]+)"));
                break;
            case "e03":
                var grid = Regex.Matches(output, @"^([\d.]+)\s+([\d.]+)\s+([\d.]+)$", RegexOptions.Multiline)
                    .Select(m => (K: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Dev: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
                Assert.HasCount(E03_TuneSmoothing.Grid.Length, grid);
                Assert.AreEqual(grid.MinBy(r => r.Dev).K, Number(output, @"best k on dev: ([\d.]+)"));
                break;
            case "e04":
                StringAssert.Contains(output, "max |difference| = 0");
                var losses = Regex.Matches(output, @"one-hot loss ([\d.]+), indexing loss ([\d.]+)");
                Assert.IsNotEmpty(losses);
                foreach (Match m in losses)
                    Assert.AreEqual(m.Groups[1].Value, m.Groups[2].Value, m.Value);
                break;
            case "e05":
                Assert.AreEqual(Number(output, @"hand-written ([\d.]+), cross_entropy"), Number(output, @"random W: .*cross_entropy ([\d.]+)"), 1e-5);
                StringAssert.Contains(output, "logits × 100: hand-written NaN");
                Assert.IsTrue(double.IsFinite(Number(output, @"logits × 100: .*cross_entropy ([\d.]+)")));
                break;
            case "e06":
                StringAssert.Matches(output, new Regex(@"^emma\s+[\d.]+\s+accepted$", RegexOptions.Multiline));
                StringAssert.Matches(output, new Regex(@"^xqzzt\s+[\d.]+\s+flagged$", RegexOptions.Multiline));
                StringAssert.Matches(output, new Regex(@"^asdfgh\s+[\d.]+\s+flagged$", RegexOptions.Multiline));
                break;
            default:
                Assert.Fail($"no check for {name}: add one");
                break;
        }
    }

    [TestMethod]
    public void EveryPartHasATestRow()
    {
        var rows = typeof(LectureExampleTests).GetMethod(nameof(PartRunsWithTinySettingsAndSaysWhatItShould))!
            .GetCustomAttributes(typeof(DataRowAttribute), false).Cast<DataRowAttribute>().Select(r => (string)r.Data[0]!);
        CollectionAssert.AreEquivalent(LectureProgram.Parts.Select(p => p.Name).ToList(), rows.ToList());
    }

    [TestMethod]
    public void CommandLineListsPartsAndRejectsUnknownNames()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.AreEqual(0, LectureProgram.Run(["list"], output, error));
        Assert.HasCount(LectureProgram.Parts.Count, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        StringAssert.Contains(output.ToString(), "C05_SamplingFromTheCounts");

        Assert.AreEqual(2, LectureProgram.Run(["c99", "--data", NamesPath], new StringWriter(), error));
        StringAssert.Contains(error.ToString(), "no chapter or exercise named 'c99'");

        output = new StringWriter();
        Assert.AreEqual(0, LectureProgram.Run(["C01_ExploringTheData", "--data", NamesPath, "--tiny"], output, error));
        StringAssert.Contains(output.ToString(), "=== c01: Exploring the data ===");
    }

    [TestMethod]
    public void ExistingAppSharesOneTorchSharpWithMicrosoftMLTorchSharp()
    {
        var output = new StringWriter();
        ExistingApp.Run(NamesPath, nameCount: LectureSettings.TinyNameCount, neuralSteps: 20, output);
        string text = output.ToString();
        StringAssert.Contains(text, "TextClassificationTrainer (Microsoft.ML.TorchSharp 0.23.1)");
        StringAssert.Contains(text, "both resolve to the same assembly: True");
        Assert.AreEqual(1, Number(text, @"TorchSharp assemblies loaded: (\d+)"));
        foreach (Match m in Regex.Matches(text, @"emma ([\d.]+), xqzzt ([\d.]+)"))
            Assert.IsLessThan(double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Value);
        Assert.HasCount(2, Regex.Matches(text, @"emma ([\d.]+), xqzzt ([\d.]+)"), text);
    }
}

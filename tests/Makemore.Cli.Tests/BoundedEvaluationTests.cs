using System.Diagnostics;
using Makemore.Cli.Internal;
using Makemore.ML.Evaluation;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// <c>makemore train --time-limit</c> bounds the whole command (issue 23): training leaves a share of the limit to the
/// final figures, and a part that does not fit in its share is scored on a random sample that says so.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class BoundedEvaluationTests
{
    // Every name scores 1 nat per predicted character; each scoring call moves the clock on by a second.
    private static (Func<IReadOnlyList<string>, LanguageModelMetrics> Evaluate, Func<TimeSpan> Clock) OneSecondPerCall()
    {
        var now = TimeSpan.Zero;
        return (names =>
        {
            now += TimeSpan.FromSeconds(1);
            long characters = names.Sum(n => (long)n.Length + 1);
            return new LanguageModelMetrics(1.0, characters, names.Count);
        }, () => now);
    }

    [TestMethod]
    public void APartThatDoesNotFitIsARandomSampleAndTheOthersAreWhole()
    {
        var (evaluate, clock) = OneSecondPerCall();
        var dev = Enumerable.Range(0, 1500).Select(i => "d" + i).ToList(); // 2 chunks: 2 s
        var test = Enumerable.Range(0, 900).Select(i => "t" + i).ToList(); // 1 chunk: 1 s
        var train = Enumerable.Range(0, 20_000).Select(i => "n" + i).ToList(); // 20 chunks: more than the 6 s left
        var figures = BoundedEvaluation.Run([("dev", dev), ("test", test), ("train", train)], evaluate, clock, TimeSpan.FromSeconds(9), seed: 1);
        Assert.IsFalse(figures["dev"].Sampled, "dev's 2 s fit in its 3 s share");
        Assert.IsFalse(figures["test"].Sampled, "test's 1 s fits in its share of the 7 s left");
        Assert.IsTrue(figures["train"].Sampled);
        Assert.AreEqual(6000, figures["train"].Metrics.ItemCount, "six chunks of 1,000 names in the 6 s left (the last ends at the deadline)");
        Assert.AreEqual(1.0, figures["train"].Metrics.NllPerCharacter, 1e-12, "the chunks' figures add up weighted by their characters");
        Assert.AreEqual(TimeSpan.FromSeconds(9), clock(), "the command ends at its deadline");
    }

    [TestMethod]
    public void PastTheDeadlineEveryPartStillHasAFigureOfOneChunk()
    {
        var (evaluate, clock) = OneSecondPerCall();
        var names = Enumerable.Range(0, 2500).Select(i => "n" + i).ToList();
        var figures = BoundedEvaluation.Run([("dev", names), ("train", names)], evaluate, clock, TimeSpan.Zero, seed: 1);
        Assert.AreEqual(1000, figures["dev"].Metrics.ItemCount);
        Assert.AreEqual(1000, figures["train"].Metrics.ItemCount);
        Assert.IsTrue(figures["dev"].Sampled && figures["train"].Sampled);
    }

    [TestMethod]
    public void ATimeLimitBoundsTheWholeTrainCommand()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-bounded-").FullName;
        try
        {
            string zip = Path.Combine(folder, "timed.zip");
            var clock = Stopwatch.StartNew();
            // A million steps that cannot fit in 0.05 min (3 s): training stops by 2.7 s, the figures get the rest.
            var run = Run("train", "gru", "-i", TestData.BundledNamesPath, "-o", zip, "--steps", "1000000", "--eval-every", "50",
                "--n-embd", "4", "--n-embd2", "8", "--samples", "0", "--time-limit", "0.05", "--json");
            clock.Stop();
            Assert.AreEqual(0, run.Code, run.Error);
            StringAssert.Contains(run.Error, "--time-limit 0.05 min: training stops by");
            var metadata = System.Text.Json.JsonDocument.Parse(run.Output).RootElement.GetProperty("metadata");
            StringAssert.StartsWith(metadata.GetProperty("time_limit").GetString(), "reached at step");
            // Whatever fitted, each part's figure is either the whole part or a sample marked as one.
            foreach (string part in new[] { "train", "dev", "test" })
                if (metadata.TryGetProperty(part + "_sample", out var sample))
                    StringAssert.Contains(sample.GetString(), " names");
            // A generous bound (the limit is 3 s; the whole run, first-call JIT and saving included, under a minute): before,
            // the final figures of the 32,033 names ran after the limit, unbounded.
            Assert.IsLessThan(60.0, clock.Elapsed.TotalSeconds, "the command ends near its 3 s limit");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ADevPartTooLargeForTheLimitIsEvaluatedOnASeededSampleThatSaysSo()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-devsample-").FullName;
        try
        {
            // 5,000 made-up names: a 500-name dev part. The limit (0.6 ms) leaves training 0.54 ms, of which a dev evaluation
            // may take 2 % (11 µs): no GRU scores 256 names in that, so the sample is the minimum, 256 of the 500.
            var random = new Random(1);
            string corpus = Path.Combine(folder, "names.txt");
            File.WriteAllLines(corpus, Enumerable.Range(0, 5000).Select(_ => new string(Enumerable.Range(0, random.Next(3, 10)).Select(_ => (char)('a' + random.Next(10))).ToArray())));
            string zip = Path.Combine(folder, "sampled.zip");
            var run = Run("train", "gru", "-i", corpus, "-o", zip, "--steps", "1000000", "--n-embd", "4", "--n-embd2", "8",
                "--samples", "0", "--seed", "5", "--time-limit", "0.00001");
            Assert.AreEqual(0, run.Code, run.Error);
            StringAssert.Contains(run.Error, "dev NLL ", "the evaluation at the last step is in the progress");
            StringAssert.Contains(run.Error, "(sample of 256/500 names)");
            StringAssert.Contains(run.Output, "on a sample of 256 of 500 dev names (seed 5)");
            StringAssert.Contains(Run("info", "-m", zip).Output, "dev_selection_sample: 256 of 500 names, seed 5");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>Long phases of a command report on stderr; short ones leave it as it was (issue 23).</summary>
[TestClass]
public sealed class LongPhaseTests
{
    [TestMethod]
    public void AShortPhaseSaysNothingAndALongOneSaysItRunsAndHowLongItTook()
    {
        var error = new StringWriter();
        using (Makemore.Cli.Internal.LongPhase.Start(error, "reading a small file"))
        {
        }
        Assert.AreEqual("", error.ToString(), "a phase within 2 s is not reported");
        var synchronized = TextWriter.Synchronized(error);
        using (Makemore.Cli.Internal.LongPhase.Start(synchronized, "reading a large file", TimeSpan.FromMilliseconds(1)))
            Thread.Sleep(500); // 500 times the phase's quiet time
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, lines, error.ToString());
        StringAssert.StartsWith(lines[0], "makemore: reading a large file… ");
        StringAssert.StartsWith(lines[1], "makemore: reading a large file: done in ");
        Assert.IsNull(Makemore.Cli.Internal.LongPhase.Start(null, "quiet"), "-q: no phase at all");
    }
}

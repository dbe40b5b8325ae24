using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// One cell of the corpus scaling table (<c>benchmarks/scale</c>): in this fresh process, the time from before
/// <c>ml.Makemore().Load</c> to after the first score (cold load), then names/s of <see cref="NameScorer.Score(string)"/>
/// over a test file (best of 3 passes over the whole file; one pass above 200,000 names), and the test NLL per predicted character (nats, the end
/// token included) of that file. <c>corpus-cell ZIP TESTFILE</c>; prints <c>load_ms names_per_s test_nll</c>.
/// </summary>
internal static class CorpusCell
{
    public static int Run(string zip, string testFile)
    {
        var names = NameList.Read(testFile);
        var ml = new MLContext(seed: 0);
        var stopwatch = Stopwatch.StartNew();
        var scorer = NameScorer.From(ml.Makemore().Load(zip, out _));
        double first = scorer.Score(names[0]).LogLikelihood;
        double loadMs = stopwatch.Elapsed.TotalMilliseconds;
        if (!double.IsFinite(first))
            throw new InvalidOperationException($"The first test name scores {first}.");

        double best = double.MaxValue, logLikelihood = 0;
        long predicted = 0;
        int passes = names.Count > 200_000 ? 1 : 3;
        for (int pass = 0; pass < passes; pass++)
        {
            logLikelihood = 0;
            predicted = 0;
            stopwatch.Restart();
            foreach (string name in names)
            {
                logLikelihood += scorer.Score(name).LogLikelihood;
                predicted += name.Length + 1;
            }
            best = Math.Min(best, stopwatch.Elapsed.TotalSeconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{loadMs:F1} {names.Count / best:F0} {-logLikelihood / predicted:F5}"));
        return 0;
    }
}

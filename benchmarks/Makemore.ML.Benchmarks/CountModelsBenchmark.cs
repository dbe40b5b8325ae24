using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Count models on corpora of millions of lines (issue 23), one measurement per process so that its peak RSS is its own:
/// <c>counts-fit FILE ORDER BUDGET</c> streams FILE (a first pass learns the vocabulary, a second counts; the lines are
/// never all in memory), fits Kneser–Ney within BUDGET bytes (0: no limit) and prints the spills, the time, the model's
/// bytes, a SHA-256 of every level's arrays (equal fingerprints: equal models, every count and probability) and the peak
/// RSS; <c>counts-load ZIP [RUNS]</c> loads a saved model with <c>ml.Makemore().Load</c>, scores one name and prints the time,
/// the managed heap and the peak RSS, then (RUNS &gt; 1) loads it RUNS − 1 times more and prints the warm loads' spread. Run each under <c>/usr/bin/time -v</c> to see the same figures from outside.
/// </summary>
/// <example>
/// <code>
/// python3 benchmarks/package-names.py data/names.txt 20000000 --seed 2 > /tmp/p20m.txt
/// dotnet run -c Release --project benchmarks/Makemore.ML.Benchmarks -- counts-fit /tmp/p20m.txt 6 500M
/// dotnet run -c Release --project benchmarks/Makemore.ML.Benchmarks -- counts-fit /tmp/p20m.txt 6 0
/// </code>
/// </example>
internal static class CountModelsBenchmark
{
    public static int Fit(string file, int order, string budgetText)
    {
        long budget = ParseSize(budgetText);
        var stopwatch = Stopwatch.StartNew();
        var vocabulary = CharacterVocabulary.Learn(File.ReadLines(file).Where(l => l.Length > 0));
        long lines = 0;
        var sequences = File.ReadLines(file).Where(l => l.Length > 0).Select(l =>
        {
            lines++;
            return vocabulary.Encode(l);
        });
        var model = NGramModel.Fit(vocabulary, order, Smoothing.KneserNey(), sequences, budget, temporaryFolder: null, out int spills);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        long bytes = model.Bytes;
        int nGrams = model.Levels.Sum(l => l.Keys.Length);
        int contexts = model.Levels.Sum(l => l.ContextCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fit: {lines:N0} lines, order {order}, budget {(budget == 0 ? "none" : $"{budget / (1 << 20)} MiB")}: {spills} runs spilled, {seconds:F1} s; "
            + $"{nGrams:N0} n-grams and {contexts:N0} contexts in {bytes / 1e6:F1} MB ({(double)bytes / nGrams:F1} B per n-gram); "
            + $"fingerprint {Fingerprint(model)}; peak RSS {PeakRssMegabytes():F0} MB"));
        return 0;
    }

    public static int Load(string zip, int runs)
    {
        var ml = new MLContext(seed: 0);
        var stopwatch = Stopwatch.StartNew();
        var loaded = ml.Makemore().Load(zip, out _);
        double loadMs = stopwatch.Elapsed.TotalMilliseconds;
        double ll = NameScorer.From(loaded).Score("emma").LogLikelihood;
        double firstScoreMs = stopwatch.Elapsed.TotalMilliseconds;
        loaded = null;
        GC.Collect();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load: {loadMs:F0} ms (with the first score, ln p(emma) = {ll:F5}: {firstScoreMs:F0} ms); file {new FileInfo(zip).Length / 1e6:F1} MB; "
            + $"managed heap after load {GC.GetTotalMemory(false) / 1e6:F0} MB; peak RSS {PeakRssMegabytes():F0} MB"));
        if (runs <= 1)
            return 0;
        // Warm: the same process loads again (JIT done, the file in the page cache); each load is let go and collected
        // before the next, so that every one allocates as the first did.
        var loads = new double[runs - 1];
        var withScore = new double[runs - 1];
        for (int r = 0; r < loads.Length; r++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            stopwatch.Restart();
            var again = ml.Makemore().Load(zip, out _);
            loads[r] = stopwatch.Elapsed.TotalMilliseconds;
            NameScorer.From(again).Score("emma");
            withScore[r] = stopwatch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(loads);
        Array.Sort(withScore);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warm load, {loads.Length} runs: min {loads[0]:F0} ms, median {loads[loads.Length / 2]:F0} ms, max {loads[^1]:F0} ms; "
            + $"with NameScorer.From and a first score: median {withScore[withScore.Length / 2]:F0} ms"));
        return 0;
    }

    // SHA-256 over every level's keys, probabilities, contexts and weights, lowest order first.
    private static string Fingerprint(NGramModel model)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var level in model.Levels)
        {
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(level.Keys.Array.AsSpan()));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(level.Probabilities.AsSpan()));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(level.ContextKeys().AsSpan()));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(level.Weights.AsSpan()));
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }

    private static double PeakRssMegabytes()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        long unit = t.EndsWith('K') ? 1L << 10 : t.EndsWith('M') ? 1L << 20 : t.EndsWith('G') ? 1L << 30 : 1;
        return (long)(double.Parse(unit == 1 ? t : t[..^1], CultureInfo.InvariantCulture) * unit);
    }
}

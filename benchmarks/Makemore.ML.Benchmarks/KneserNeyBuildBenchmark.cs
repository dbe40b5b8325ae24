using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Makemore.ML.Counting;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// The Kneser–Ney levels a load (and a fit) builds from the counts of every order (issue 23): <c>counts-build ZIP [RUNS]</c>
/// loads a saved Kneser–Ney model, takes its counts of every order, and builds each level bottom up both ways, in this
/// process, RUNS times (default 3, a collection before each): <see cref="NGramLevel.KneserNey"/> as it is, and the single-threaded build it replaced
/// (kept below: per row, each n-gram's suffix looked up at the order below by a galloping cursor per oldest symbol). It
/// prints a table of the median wall and CPU ms per order and checks that both give the same bits (every probability and λ).
/// </summary>
/// <example><c>dotnet run -c Release --project benchmarks/Makemore.ML.Benchmarks -- counts-build /tmp/kn8.zip</c></example>
internal static class KneserNeyBuildBenchmark
{
    public static int Run(string zip, int runs)
    {
        var ml = new MLContext(seed: 0);
        var clock = Stopwatch.StartNew();
        var model = (NGramModel)MakemoreModel.GetLanguageModel(ml.Makemore().Load(zip, out _));
        double loadMs = clock.Elapsed.TotalMilliseconds;
        if (model.Smoothing is not KneserNeySmoothing)
            throw new ArgumentException($"{zip} holds a {model.Smoothing} model, not Kneser–Ney.");
        var counts = model.ContinuationCounts(model.TopCounts);
        int v = model.Vocabulary.Size;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{zip}: {model}; whole load {loadMs:F0} ms (first, cold); {Environment.ProcessorCount} cores; median of {runs} builds per order, ms"));
        Console.WriteLine("| order | n-grams | contexts | before (one thread, suffix cursor): wall ms (CPU ms) | now: wall ms (CPU ms, all threads) | before / now, wall | same bits |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        NGramLevel? lower = null;
        double totalBefore = 0, totalNow = 0, totalBeforeCpu = 0, totalNowCpu = 0;
        for (int n = 1; n <= model.Order; n++)
        {
            var c = counts[n - 1];
            double[] discounts = [.. model.Discounts[n - 1]];
            ulong lowerSpace = Pow(v, n - 1);
            int keyBits = NGramCounts.BitsBelow(Pow(v, n)), contextBits = NGramCounts.BitsBelow(lowerSpace);
            (double[] P, double[] L) before = default;
            NGramLevel now = null!;
            var below = lower;
            var (beforeMs, beforeCpu) = Median(runs, () => before = Before(v, c.Keys, c.Counts, discounts, below, lowerSpace, keyBits, contextBits));
            var (nowMs, nowCpu) = Median(runs, () => now = NGramLevel.KneserNey(v, c.Keys, c.Counts, discounts, below, lowerSpace, keyBits));
            bool same = before.P.AsSpan().SequenceEqual(now.Probabilities) && before.L.AsSpan().SequenceEqual(now.Weights)
                && now.Probabilities.AsSpan().SequenceEqual(model.Levels[n - 1].Probabilities);
            totalBefore += beforeMs;
            totalNow += nowMs;
            totalBeforeCpu += beforeCpu;
            totalNowCpu += nowCpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {c.Keys.Length:N0} | {now.ContextCount:N0} | {beforeMs:F1} ({beforeCpu:F0}) | {nowMs:F1} ({nowCpu:F0}) | {beforeMs / nowMs:F2} | {(same ? "yes" : "NO")} |"));
            if (!same)
                throw new InvalidOperationException($"Order {n}: the two builds differ.");
            lower = now;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| all | | | {totalBefore:F0} ({totalBeforeCpu:F0}) | {totalNow:F0} ({totalNowCpu:F0}) | {totalBefore / totalNow:F2} | |"));
        return 0;
    }

    // The medians of the wall and the process's CPU time (every thread), in ms; a collection before each run.
    private static (double Wall, double Cpu) Median(int runs, Action run)
    {
        var wall = new double[runs];
        var cpu = new double[runs];
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            run();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return (wall[runs / 2], cpu[runs / 2]);
    }

    private static ulong Pow(int v, int k)
    {
        ulong p = 1;
        for (int i = 0; i < k; i++)
            p *= (ulong)v;
        return p;
    }

    // The build as it was before the blocked, parallel one (commit a903e30), directories included; returns the
    // probabilities and the λs.
    private static (double[] Probabilities, double[] Lambdas) Before(int v, ulong[] keys, int[] counts, double[] discounts, NGramLevel? lower, ulong lowerSpace, int keyBits, int contextBits)
    {
        ulong[] contexts = RowContexts(v, keys);
        var lambdas = new double[contexts.Length];
        var probabilities = new double[keys.Length];
        var suffixes = lower is null ? default : new SuffixCursor(lower.Keys, lowerSpace);
        for (int r = 0, start = 0; r < contexts.Length; r++)
        {
            int end = RowEnd(v, keys, start, contexts[r]);
            double total = 0, backoff = 0;
            for (int i = start; i < end; i++)
            {
                double count = counts[i];
                total += count;
                backoff += Math.Min(count, count >= 3 ? discounts[2] : discounts[(int)count - 1]);
            }
            double lambda = backoff / total;
            lambdas[r] = lambda;
            for (int i = start; i < end; i++)
            {
                double count = counts[i];
                double discount = count >= 3 ? discounts[2] : discounts[(int)count - 1];
                double share = Math.Max(count - discount, 0) / total;
                double below = lower is null ? 1.0 / v : lower.Probabilities[suffixes.Find(keys[i])];
                double p = below * lambda;
                p += share;
                probabilities[i] = p;
            }
            start = end;
        }
        GC.KeepAlive(new SortedKeys(keys, keyBits));
        GC.KeepAlive(new SortedKeys(contexts, contextBits));
        return (probabilities, lambdas);
    }

    private static ulong[] RowContexts(int v, ulong[] keys)
    {
        var byV = new Divisor((ulong)v);
        int rows = 0;
        ulong end = 0;
        for (int e = 0; e < keys.Length; e++)
        {
            if (e == 0 || keys[e] >= end)
            {
                end = (byV.Divide(keys[e]) + 1) * (ulong)v;
                rows++;
            }
        }
        var contexts = new ulong[rows];
        rows = 0;
        for (int e = 0; e < keys.Length; e++)
        {
            if (e == 0 || keys[e] >= end)
            {
                ulong context = byV.Divide(keys[e]);
                contexts[rows++] = context;
                end = (context + 1) * (ulong)v;
            }
        }
        return contexts;
    }

    private static int RowEnd(int v, ulong[] keys, int start, ulong context)
    {
        ulong limit = (context + 1) * (ulong)v;
        int end = start + 1;
        while (end < keys.Length && keys[end] < limit)
            end++;
        return end;
    }

    private struct SuffixCursor(SortedKeys lower, ulong lowerSpace)
    {
        private readonly Divisor _space = new(lowerSpace);
        private ulong _start, _end;
        private int _at;

        public int Find(ulong key)
        {
            if (key >= _end || key < _start)
            {
                ulong oldest = _space.Divide(key);
                _start = oldest * lowerSpace;
                _end = _start + lowerSpace;
                _at = 0;
            }
            ulong suffix = key - _start;
            ReadOnlySpan<ulong> keys = lower.Array;
            int step = 1, hi = _at;
            while (hi < keys.Length && keys[hi] < suffix)
            {
                _at = hi + 1;
                hi += step;
                step *= 2;
            }
            int found = keys[_at..Math.Min(keys.Length, hi + 1)].BinarySearch(suffix);
            if (found < 0)
                throw new InvalidOperationException("A Kneser–Ney n-gram has no suffix at the order below.");
            _at += found;
            return _at;
        }
    }
}

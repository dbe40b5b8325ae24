using System.Diagnostics;

namespace Makemore.ML.Benchmarks;

/// <summary>Medians of timed runs, for the peer and scaling tables.</summary>
internal static class Timing
{
    /// <summary>The median wall time of <paramref name="passes"/> runs, in ms.</summary>
    public static double Milliseconds(int passes, Action run)
    {
        var times = new double[passes];
        for (int i = 0; i < passes; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[passes / 2];
    }

    /// <summary>Items per second: the median of <paramref name="passes"/> timed passes.</summary>
    public static double Rate(int items, int passes, Action run) => items / (Milliseconds(passes, run) / 1000);
}

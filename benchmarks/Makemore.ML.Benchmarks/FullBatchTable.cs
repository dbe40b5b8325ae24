using System.Diagnostics;
using Microsoft.ML;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Full-batch neural bigram steps (lr 50, L2 0.01, 1 thread): ms/step and the process's minor page faults per step
/// (from /proc/self/stat), for the deduplicated batch and for every one of the lecture's 228k events. A step whose big
/// tensors come from fresh memory each time faults on every page it touches (4 KB each): that is what "page-fault bound"
/// means here. Run it again with glibc's <c>MALLOC_MMAP_THRESHOLD_</c> / <c>MALLOC_TRIM_THRESHOLD_</c> set to compare.
/// </summary>
internal static class FullBatchTable
{
    public static void Run(IReadOnlyList<string> names)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
        Console.WriteLine($"MALLOC_MMAP_THRESHOLD_={Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") ?? "(unset)"}, MALLOC_TRIM_THRESHOLD_={Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") ?? "(unset)"}");
        Console.WriteLine("| neural bigram, lr 50, L2 0.01, full batch, 1 thread | ms/step | minor page faults per step | MB touched per step if each fault is a fresh 4 KB page |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (label, options) in new (string, SoftmaxRegressionEstimator.Options)[]
        {
            ("deduplicated events (the default), hand-written step", new() { Training = { Steps = 40 } }),
            ("every event (228k rows), embedding, hand-written step", new() { DeduplicateFullBatch = false, Training = { Steps = 40 } }),
            ("every event, one-hot matmul (the lecture's code), autograd", new() { DeduplicateFullBatch = false, Encoding = InputEncoding.OneHot, Training = { Steps = 40 } }),
        })
        {
            var estimator = new SoftmaxRegressionEstimator(new MLContext(), options);
            estimator.Train(vocabulary, sequences); // warm-up: libtorch's first allocations and the JIT
            long faults = MinorFaults();
            var watch = Stopwatch.StartNew();
            estimator.Train(vocabulary, sequences);
            double ms = watch.Elapsed.TotalMilliseconds / options.Training.Steps;
            double perStep = (MinorFaults() - faults) / (double)options.Training.Steps;
            Console.WriteLine($"| {label} | {ms:F2} | {perStep:N0} | {perStep * 4096 / 1e6:F1} |");
        }
    }

    // Field 10 of /proc/self/stat: minor faults of the process so far.
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}

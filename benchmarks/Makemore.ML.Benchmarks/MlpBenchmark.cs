using Microsoft.ML;
using System.Diagnostics;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// The MLP family: training ms/step at batch 32 on one thread, ours (TorchSharp, the one training loop) side by side with
/// the same models in PyTorch (Debian's python3-torch, peers/mlp_family_steps.py), alternating, medians of 3 rounds; and
/// scoring throughput of <see cref="NameScorer"/> (whole names, plain C#).
/// </summary>
internal static class MlpBenchmark
{
    private const int Steps = 1500, Warmup = 300, Rounds = 3;

    public static void Run(IReadOnlyList<string> names)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
        var kinds = new[] { (MlpKind.Mlp, "mlp"), (MlpKind.BatchNormMlp, "bn-mlp"), (MlpKind.WaveNet, "wavenet") };
        var ours = kinds.ToDictionary(k => k.Item2, _ => new List<double>());
        var theirs = kinds.ToDictionary(k => k.Item2, _ => new List<double>());
        var models = new Dictionary<string, MlpModel>();
        string? python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : null;
        string script = Path.Combine(AppContext.BaseDirectory, "peers", "mlp_family_steps.py");
        // The process's first training reaches its steady ms/step only after ~2,500 steps (JIT): train one and throw it away.
        var throwAway = MlpEstimator.Options.ForLecture(MlpKind.Mlp);
        (throwAway.Training.Steps, throwAway.Training.EvaluationInterval) = (3_000, int.MaxValue);
        new MlpEstimator(new MLContext(), throwAway).Train(vocabulary, sequences);
        for (int round = 0; round < Rounds; round++)
        {
            foreach (var (kind, name) in kinds)
            {
                var options = MlpEstimator.Options.ForLecture(kind);
                options.Training.Steps = Warmup + Steps;
                options.Training.EvaluationInterval = int.MaxValue;
                var (model, training) = new MlpEstimator(new MLContext(), options).Train(vocabulary, sequences);
                models[name] = model;
                var history = training.History;
                ours[name].Add((history[^1].Elapsed - history[Warmup - 1].Elapsed).TotalMilliseconds / Steps);
            }
            if (python is not null && File.Exists(script))
                foreach (string line in RunPeer(python, script))
                {
                    string[] parts = line.Split(' ');
                    if (parts.Length == 3 && theirs.TryGetValue(parts[0], out var list))
                        list.Add(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                }
        }
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);
        // Debian's python3-torch uses whichever BLAS the alternatives system points at: the reference BLAS is ~5× slower.
        string blas = File.Exists("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
            ? new FileInfo("/etc/alternatives/libblas.so.3-x86_64-linux-gnu").LinkTarget ?? "?" : "?";
        Console.WriteLine($"PyTorch's BLAS: {blas}{(blas.Contains("openblas", StringComparison.Ordinal) ? "" : " (not OpenBLAS: apt-get install libopenblas0-pthread for a fair peer)")}");
        Console.WriteLine($"| MLP family (lecture sizes), batch 32, 1 thread | parameters | ours ms/step | PyTorch {(python is null ? "(not installed)" : "1.13")} ms/step | PyTorch ÷ ours (> 1: we are faster) | NameScorer names/s |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (_, name) in kinds)
        {
            double us = Median(ours[name]);
            string them = theirs[name].Count > 0 ? $"{Median(theirs[name]):F3}" : "-";
            string ratio = theirs[name].Count > 0 ? $"{Median(theirs[name]) / us:F2}" : "-";
            Console.WriteLine($"| {name} | {models[name].ParameterCount:N0} | {us:F3} | {them} | {ratio} | {ScoringRate(models[name], names):N0} |");
        }
    }

    private static IEnumerable<string> RunPeer(string python, string script)
    {
        var start = new ProcessStartInfo(python, [script, "1", Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("OPENBLAS_CORETYPE"); // see env notes: it slows a current BLAS; the peer deserves its best
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    // Names per second through one NameScorer: every name scored whole, median of 3 passes over the list.
    private static double ScoringRate(MlpModel model, IReadOnlyList<string> names)
    {
        var scorer = new NameScorer(model);
        var rates = new List<double>();
        for (int pass = 0; pass < 3; pass++)
        {
            var stopwatch = Stopwatch.StartNew();
            foreach (string name in names)
                scorer.Score(name);
            rates.Add(names.Count / stopwatch.Elapsed.TotalSeconds);
        }
        return Median(rates);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Cold load of saved softmax regressions of growing size: each zip is loaded in a fresh process
/// (<c>dotnet Makemore.ML.Benchmarks.dll load-one ZIP MODE</c>), timed from before <c>Load</c> to after the first prediction.
/// </summary>
internal static class LoadBenchmark
{
    private const int Runs = 3;

    public static void Run()
    {
        // Wall time depends on what else runs on the machine; the process's CPU time (all threads) much less.
        Console.WriteLine("| parameters | raw float32 MB | zip MB | zip / raw | Makemore Load + first NameScorer score: wall ms (CPU ms) | ml.Model.Load + first PredictionEngine prediction: wall ms (CPU ms) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        // MAKEMORE_LOAD_FOLDER keeps the zips there (to profile one with load-one); by default they go to a temporary folder.
        string? keep = Environment.GetEnvironmentVariable("MAKEMORE_LOAD_FOLDER");
        string folder = keep ?? Path.Combine(Path.GetTempPath(), $"makemore-load-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var (characters, block) in new (string, int)[]
            {
                (Letters, 2), // 27 symbols, 27^3 = 19,683
                (Letters, 3), // 27^4 = 531,441
                (Letters + Extra(73), 2), // 100 symbols, 100^3 = 1,000,000
                (Letters, 4), // 27^5 = 14,348,907
            })
            {
                var model = RandomSoftmax(CharacterVocabulary.FromCharacters(characters), block);
                string zip = Path.Combine(folder, $"softmax-{model.Weights.Length}.zip");
                Save(model, zip);
                double raw = model.Weights.Length * 4.0;
                double size = new FileInfo(zip).Length;
                var (ours, oursCpu) = MedianOfFreshProcesses(zip, "makemore");
                var (plain, plainCpu) = MedianOfFreshProcesses(zip, "mlnet");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {model.Weights.Length:N0} | {raw / 1e6:F2} | {size / 1e6:F2} | {size / raw:F3} | {ours:F0} ({oursCpu:F0}) | {plain:F0} ({plainCpu:F0}) |"));
            }
        }
        finally
        {
            if (keep is null)
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Issue 23's neural load targets: a 13M-parameter bn-mlp (two batch-normed levels of 3,600) and makemore.py's default
    /// Transformer (204,544 parameters), each saved once; then the median of 5 warm loads in this process (Load + first
    /// NameScorer score, after one load to warm the code) and of 3 cold ones in fresh processes.
    /// </summary>
    public static void RunNeural()
    {
        Console.WriteLine("| model | parameters | zip MB | warm Load + first score: median ms | cold (fresh process): median wall ms (CPU ms) |");
        Console.WriteLine("|---|---|---|---|---|");
        string folder = Path.Combine(Path.GetTempPath(), $"makemore-load-neural-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var vocabulary = CharacterVocabulary.FromCharacters(Letters);
            foreach (var (label, model) in new (string, ILanguageModel)[] { ("bn-mlp 2 × 3,600", RandomBatchNormMlp(vocabulary, 3600)), ("transformer (makemore.py)", DefaultTransformer(vocabulary)) })
            {
                string zip = Path.Combine(folder, $"neural-{model.GetType().Name}.zip");
                Save(model, zip);
                var ml = new MLContext(seed: 0);
                NameScorer.From(ml.Makemore().Load(zip, out _)).Score("andrej");
                var warm = new List<double>();
                for (int i = 0; i < 5; i++)
                {
                    var clock = Stopwatch.StartNew();
                    NameScorer.From(ml.Makemore().Load(zip, out _)).Score("andrej");
                    warm.Add(clock.Elapsed.TotalMilliseconds);
                }
                warm.Sort();
                var (cold, coldCpu) = MedianOfFreshProcesses(zip, "makemore");
                long parameters = model is MlpModel mlp ? mlp.ParameterCount : ((TransformerModel)model).ParameterCount;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {label} | {parameters:N0} | {new FileInfo(zip).Length / 1e6:F2} | {warm[2]:F1} | {cold:F0} ({coldCpu:F0}) |"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static MlpModel RandomBatchNormMlp(CharacterVocabulary vocabulary, int hidden)
    {
        var random = new Random(1);
        float[] Random(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f).ToArray();
        BatchNormStatistics Bn() => new(Enumerable.Repeat(1f, hidden).ToArray(), new float[hidden], new float[hidden], Enumerable.Repeat(1f, hidden).ToArray(), 1e-5f);
        const int block = 3, embedding = 10;
        return new MlpModel(vocabulary, block, embedding, Random(vocabulary.Size * embedding),
            [new MlpLayer(block, embedding, hidden, Random((long)block * embedding * hidden), null, Bn()), new MlpLayer(1, hidden, hidden, Random((long)hidden * hidden), null, Bn())],
            Random((long)hidden * vocabulary.Size), Random(vocabulary.Size));
    }

    private static ILanguageModel DefaultTransformer(CharacterVocabulary vocabulary)
    {
        Makemore.ML.TorchSharp.TorchRuntime.EnsureLoaded();
        using var generator = new global::TorchSharp.torch.Generator(1);
        var options = new Makemore.ML.TorchSharp.Training.SequenceModelEstimator.Options { Kind = Makemore.ML.TorchSharp.Models.SequenceModelKind.Transformer };
        return Makemore.ML.TorchSharp.Models.SequenceNetworks.Create(options, vocabulary.Size, 16, generator).ToModel(vocabulary);
    }

    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    private static string Extra(int count) => string.Concat(Enumerable.Range(0x100, count).Select(c => (char)c));

    private static SoftmaxRegressionModel RandomSoftmax(CharacterVocabulary vocabulary, int block)
    {
        var random = new Random(1);
        var w = new float[SoftmaxRegressionModel.RowCount(vocabulary.Size, block, ContextEncoding.Joint) * vocabulary.Size];
        for (int i = 0; i < w.Length; i++)
            w[i] = (float)random.NextDouble();
        return new SoftmaxRegressionModel(vocabulary, block, ContextEncoding.Joint, w);
    }

    private static void Save(ILanguageModel model, string path)
    {
        var ml = new MLContext(seed: 0);
        // One item holding every character: MapCharactersToIds learns exactly the model's vocabulary.
        var data = ml.Data.LoadNames([string.Concat(model.Vocabulary.Symbols.Skip(1))]);
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(data);
        var idsData = ids.Transform(data);
        var chain = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(new MLContext(), model, "Ids", idsData));
        ml.Makemore().Save(chain, data.Schema, path);
    }

    private static (double Wall, double Cpu) MedianOfFreshProcesses(string zip, string mode)
    {
        var times = new List<double>();
        var cpu = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(typeof(LoadBenchmark).Assembly.Location);
            start.ArgumentList.Add("load-one");
            start.ArgumentList.Add(zip);
            start.ArgumentList.Add(mode);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"load-one {mode} {zip} failed ({process.ExitCode}): {error}");
            if (error.Length > 0)
                Console.Error.Write(error);
            string[] last = output.Trim().Split('\n')[^1].Split(' ');
            times.Add(double.Parse(last[0], CultureInfo.InvariantCulture));
            cpu.Add(double.Parse(last[1], CultureInfo.InvariantCulture));
        }
        times.Sort();
        cpu.Sort();
        return (times[Runs / 2], cpu[Runs / 2]);
    }

    /// <summary>The child: one cold load and first prediction; prints the milliseconds, wall and CPU.</summary>
    public static int LoadOne(string zip, string mode)
    {
        var ml = new MLContext(seed: 0);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        double logLikelihood;
        if (mode == "makemore")
        {
            var model = ml.Makemore().Load(zip, out _);
            logLikelihood = NameScorer.From(model).Score("andrej").LogLikelihood;
        }
        else
        {
            var model = ml.Model.Load(zip, out _);
            var engine = ml.Model.CreatePredictionEngine<NameInput, LoadScore>(model);
            logLikelihood = engine.Predict(new NameInput { Name = "andrej" }).LogLikelihood;
        }
        double ms = stopwatch.Elapsed.TotalMilliseconds;
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        if (!double.IsFinite(logLikelihood))
            throw new InvalidOperationException($"Score {logLikelihood}.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ms:F1} {cpuMs:F1}"));
        return 0;
    }
}

internal sealed class LoadScore
{
    public double LogLikelihood { get; set; }
}

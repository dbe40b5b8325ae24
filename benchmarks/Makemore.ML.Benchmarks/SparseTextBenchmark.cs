using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;
using Makemore.ML.TorchSharp.Classification;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Our softmax regression beside ML.NET's <c>LbfgsMaximumEntropy</c> on wide sparse text features: each name without its
/// last letter, featurized by <c>FeaturizeText</c> (word unigrams and character 1- to 5-grams, over 50,000 slots), predicts
/// that last letter (26 classes: the features never see it, but "emm" → a, "kristi" → n are learnable). Each trainer fits
/// in a fresh process (<c>sparse-one TRAINER NAMES</c>) that reports its fit time, the rise of its peak resident set during
/// the fit (managed and native: VmHWM of /proc/self/status, reset just before the fit) and micro-accuracy on the held-out
/// fifth; the trainers alternate within each of 3 rounds (1 with <c>--quick</c>).
/// <c>dotnet run -c Release --project benchmarks/Makemore.ML.Benchmarks -- sparse [--quick] [NAMES]</c>.
/// <c>sparse-validate NAMES</c> is how our L1 and L2 were chosen: a grid on a validation fifth of the training names only.
/// </summary>
internal static class SparseTextBenchmark
{
    // Chosen on a validation fifth of the training names (the grid of sparse-validate; the held-out names unseen), validation
    // micro-accuracy on 2026-12-07: with L1 86.6, L2 150 → 0.4696, 43.3 → 0.4952, 10 → 0.5039, 3 → 0.5060 (tolerance 1e-6),
    // 0 → 0.5101; with L2 3, L1 60 → 0.4995, 120 → 0.5007; with L2 43.3, L1 43.3 → 0.4935, 173 → 0.4783. L2 0 was best but
    // the slowest to converge (483 iterations), so L2 3.
    private const double OursL2 = 3;
    private const double OursL1 = 86.6;

    private const string Split = "TrainTestSplit(testFraction: 0.2, seed: 0) of the names of length ≥ 2, MLContext seed 0";

    // sparse-one also runs "ours-mlnet-loss": ours on LbfgsMaximumEntropy's default loss (L2 = K·D / 2n, L1 = K·D / n).
    private static readonly (string Key, string Name)[] Trainers =
    [
        ("ours", $"ours: SoftmaxRegression (Solver = Lbfgs, L2 {OursL2}, L1 {OursL1}; chosen on a validation split of the training names)"),
        ("lbfgs", "ML.NET LbfgsMaximumEntropy (defaults)"),
    ];

    // The grid of sparse-validate: (L2, L1) in our units, L2 · mean(W²) + L1 · mean(|W|).
    private static readonly (double L2, double L1)[] ValidationGrid =
        [(43.3, 86.6), (43.3, 43.3), (43.3, 173), (150, 86.6), (10, 86.6), (3, 86.6), (3, 60), (3, 120), (0, 86.6)];

    public static void Run(string namesPath, bool quick)
    {
        int rounds = quick ? 1 : 3;
        var results = Trainers.ToDictionary(t => t.Key, _ => new List<ChildResult>());
        for (int round = 0; round < rounds; round++)
            foreach (var (key, _) in Trainers)
            {
                var result = RunChild(key, namesPath);
                results[key].Add(result);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}, {key}: {result.Seconds:F1} s, {result.PeakMegabytes:F0} MB, accuracy {result.Accuracy:F4}"));
            }
        var first = results[Trainers[0].Key][0];
        Console.WriteLine($"features: {first.Slots:N0} slots, {first.Rows:N0} training rows, {first.NonZerosPerRow:F1} non-zeros per row ({100.0 * first.NonZerosPerRow / first.Slots:F3} % dense); {first.TestRows:N0} held-out rows ({Split})");
        Console.WriteLine();
        string runs = string.Join(" / ", Enumerable.Range(1, rounds));
        Console.WriteLine($"| trainer | fit (s), runs {runs} | peak RSS rise during fit (MB), runs {runs} | held-out micro-accuracy |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (key, name) in Trainers)
        {
            var r = results[key];
            string accuracy = string.Join(" / ", r.Select(x => x.Accuracy.ToString("F4", CultureInfo.InvariantCulture)).Distinct());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(" / ", r.Select(x => x.Seconds.ToString("F1", CultureInfo.InvariantCulture)))} | {string.Join(" / ", r.Select(x => x.PeakMegabytes.ToString("F0", CultureInfo.InvariantCulture)))} | {accuracy} |"));
        }
    }

    private sealed record ChildResult(int Slots, long Rows, double NonZerosPerRow, long TestRows, double Seconds, double PeakMegabytes, double Accuracy);

    private static ChildResult RunChild(string trainer, string namesPath)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(SparseTextBenchmark).Assembly.Location);
        start.ArgumentList.Add("sparse-one");
        start.ArgumentList.Add(trainer);
        start.ArgumentList.Add(namesPath);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"sparse-one {trainer} failed ({process.ExitCode}): {error.Result}");
        string[] f = output.Trim().Split('\n')[^1].Split(' ');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new ChildResult((int)D(0), (long)D(1), D(2), (long)D(3), D(4), D(5), D(6));
    }

    /// <summary>The grid of (L2, L1) on a validation fifth of the training names (the held-out names never read): prints each one's validation micro-accuracy.</summary>
    public static int Validate(string namesPath)
    {
        var ml = new MLContext(seed: 0);
        var training = ml.Data.TrainTestSplit(Rows(ml, namesPath), testFraction: 0.2, seed: 0).TrainSet;
        var (train, validation) = Featurize(ml, ml.Data.TrainTestSplit(training, testFraction: 0.2, seed: 1));
        Console.WriteLine($"validation: {Split}, its training part split again by TrainTestSplit(testFraction: 0.2, seed: 1)");
        Console.WriteLine();
        Console.WriteLine("| L2 | L1 | fit (s) | validation micro-accuracy |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (l2, l1) in ValidationGrid)
        {
            var clock = Stopwatch.StartNew();
            var model = Ours(ml, l2, l1).Fit(train);
            double seconds = clock.Elapsed.TotalSeconds;
            double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(validation)).MicroAccuracy;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {l2} | {l1} | {seconds:F1} | {accuracy:F4} |"));
        }
        return 0;
    }

    private static IEstimator<ITransformer> Ours(MLContext ml, double l2, double l1) =>
        ml.MulticlassClassification.Trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { Solver = SoftmaxRegressionTrainer.Solver.Lbfgs, L2 = l2, L1 = l1 });

    private static IDataView Rows(MLContext ml, string namesPath) =>
        ml.Data.LoadFromEnumerable(File.ReadLines(namesPath).Select(l => l.Trim()).Where(n => n.Length >= 2)
            .Select(n => new NameRow { Prefix = n[..^1], LastLetter = n[^1..] }).ToList());

    // The featurizer is fitted on the training part only; the training features are cached.
    private static (IDataView Train, IDataView Test) Featurize(MLContext ml, DataOperationsCatalog.TrainTestData split)
    {
        var featurizer = ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 1 },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 5, UseAllLengths = true },
            }, "Prefix")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LastLetter"))
            .Fit(split.TrainSet);
        return (ml.Data.Cache(featurizer.Transform(split.TrainSet)), featurizer.Transform(split.TestSet));
    }

    private sealed class NameRow
    {
        public string Prefix { get; set; } = "";

        public string LastLetter { get; set; } = "";
    }

    /// <summary>The child: featurize, fit one trainer, evaluate; prints slots, rows, non-zeros per row, test rows, seconds, peak MB, accuracy.</summary>
    public static int RunOne(string trainer, string namesPath)
    {
        var ml = new MLContext(seed: 0);
        var (train, test) = Featurize(ml, ml.Data.TrainTestSplit(Rows(ml, namesPath), testFraction: 0.2, seed: 0));
        int slots = ((VectorDataViewType)train.Schema["Features"].Type).Size;
        int classes = (int)((KeyDataViewType)train.Schema["Label"].Type).Count;
        var (count, nonZeros) = CountNonZeros(train); // fills the cache outside the measurement
        long testRows = test.GetRowCount() ?? test.GetColumn<uint>("Label").LongCount();

        IEstimator<ITransformer> estimator = trainer switch
        {
            "ours" => Ours(ml, OursL2, OursL1),
            // LbfgsTrainerBase: (Σ NLL + L2/2 · ΣW²) / n + L1/n · Σ|W| at L1 = L2 = 1, in our units of means over the K·D weights.
            "ours-mlnet-loss" => Ours(ml, l2: (double)classes * slots / (2.0 * count), l1: (double)classes * slots / count),
            "lbfgs" => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(),
            _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "ours, ours-mlnet-loss or lbfgs"),
        };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5"); // VmHWM := VmRSS
        long before = StatusKilobytes("VmRSS");
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        double peakMegabytes = (StatusKilobytes("VmHWM") - before) / 1024.0;
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{slots} {count} {(double)nonZeros / count:F2} {testRows} {seconds:F2} {peakMegabytes:F1} {accuracy:F4}"));
        return 0;
    }

    private static (long Rows, long NonZeros) CountNonZeros(IDataView data)
    {
        var column = data.Schema["Features"];
        using var cursor = data.GetRowCursor([column, data.Schema["Label"]]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        long rows = 0, nonZeros = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            rows++;
            foreach (float v in buffer.GetValues())
                nonZeros += v != 0 ? 1 : 0;
        }
        return (rows, nonZeros);
    }

    private static long StatusKilobytes(string field)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}

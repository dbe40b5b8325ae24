using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Benchmarks;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Training;

// Makemore.ML benchmarks: every ratio is measured side by side in this one run, on this machine.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
// Modes, one per line:
// - "scoring [--quick] [--only=NAME]": scoring and sampling names/s of every model kind
// - "load [--neural]": only the cold-load table (--neural: issue 23's 13M bn-mlp and default Transformer, warm and cold)
// - "mlp": only the MLP-family table
// - "peers [--quick]": issue 12's table, ours beside the bare C# loops, plain Python, PyTorch and NLTK (docs/benchmarks.md)
// - "steps [--quick]": only that table's neural n-gram steps, ours and PyTorch's interleaved
// - "fullbatch": full-batch neural bigram ms/step and page faults per step
// - "onnx [--quick]": scoring the dev names with the exported ONNX model in ONNX Runtime beside NameScorer (docs/benchmarks.md)
// - "scaling [--quick]": fit and scoring time against data size and order, ms/step against MLP size
// - "mlnet [--quick]": our softmax regression vs ML.NET's multiclass trainers
// - "names": docs/name-tools.md (plausibility AUC, sampling and scoring speed)
// - "models [--quick] [--only=NAME]": docs/models.md
// - "load-one ZIP MODE": the fresh process that table spawns per measurement
// - "sparse [--quick]": our softmax regression vs LbfgsMaximumEntropy on 50,000+-slot sparse text features, each fit in a fresh process ("sparse-one TRAINER NAMES"), 3 rounds (1 with --quick)
// - "sparse-validate NAMES": the validation grid that chose our L1 and L2 there.
// - "counts-fit FILE ORDER BUDGET", "counts-load ZIP [RUNS]": count models on a big file (docs/architecture.md, count models)
// - "counts-build ZIP [RUNS]": a saved Kneser–Ney model's levels built per order, the old single-threaded build beside today's
// - "devpass FILE [KIND]": one dev pass of a sequence model, the lean chunked evaluation beside whole int64 rows and the C# scorer
// - "corpus-cell ZIP TESTFILE": one cell of benchmarks/scale (cold load ms, scoring names/s, test NLL).
if (args is ["load-one", string zipPath, string mode])
    return LoadBenchmark.LoadOne(zipPath, mode);
if (args is ["corpus-cell", string cellZip, string cellTest])
    return CorpusCell.Run(cellZip, cellTest);
if (args is ["counts-fit", string countsFile, string countsOrder, string countsBudget])
    return CountModelsBenchmark.Fit(countsFile, int.Parse(countsOrder, CultureInfo.InvariantCulture), countsBudget);
if (args is ["counts-load", string countsZip, .. var loadRuns])
    return CountModelsBenchmark.Load(countsZip, loadRuns is [string lr] ? int.Parse(lr, CultureInfo.InvariantCulture) : 1);
if (args is ["counts-build", string buildZip, .. var buildRuns])
    return KneserNeyBuildBenchmark.Run(buildZip, buildRuns is [string r] ? int.Parse(r, CultureInfo.InvariantCulture) : 3);
if (args is ["sparse-one", string sparseTrainer, string sparseNames])
    return SparseTextBenchmark.RunOne(sparseTrainer, sparseNames);
if (args is ["sparse-validate", string validateNames])
    return SparseTextBenchmark.Validate(validateNames);
if (args is ["devpass", string devPassFile, .. var devPassKind])
{
    DevPassBenchmark.Run(NameList.Read(devPassFile), devPassKind is [string k] ? k : "gru");
    return 0;
}
bool loadOnly = args is ["load", ..];
bool mlpOnly = args is ["mlp", ..];
bool modelsOnly = args is ["models", ..];
bool scoringOnly = args is ["scoring", ..];
bool namesOnly = args is ["names", ..];
bool mlnetOnly = args is ["mlnet", ..];
bool sparseOnly = args is ["sparse", ..];
bool peersOnly = args is ["peers", ..];
bool stepsOnly = args is ["steps", ..];
bool scalingOnly = args is ["scaling", ..];
bool fullBatchOnly = args is ["fullbatch", ..];
bool onnxOnly = args is ["onnx", ..];
bool quick = args.Contains("--quick");
bool neuralLoad = args.Contains("--neural");
var only = args.Where(a => a.StartsWith("--only=", StringComparison.Ordinal)).Select(a => a["--only=".Length..]).ToList();
args = args.Where(a => a != "--quick" && a != "--neural" && !a.StartsWith("--only=", StringComparison.Ordinal)).ToArray();
if (loadOnly || mlpOnly || modelsOnly || scoringOnly || namesOnly || mlnetOnly || sparseOnly || peersOnly || stepsOnly || scalingOnly || fullBatchOnly || onnxOnly)
    args = args[1..];
string path = args.Length > 0 ? args[0] : FindUp("../shared/data/names.txt") ?? FindUp("data/names.txt")
    ?? throw new FileNotFoundException("Give the path of names.txt.");
var names = NameList.Read(path);
Console.WriteLine($"data: {path} ({names.Count:N0} names); {Environment.ProcessorCount} cores; .NET {Environment.Version}");
var ml = new MLContext(seed: 0);
if (loadOnly)
{
    Console.WriteLine();
    if (neuralLoad)
        LoadBenchmark.RunNeural();
    else
        LoadBenchmark.Run();
    return 0;
}
if (peersOnly)
{
    Console.WriteLine();
    PeersTable.Run(names, path, quick);
    return 0;
}
if (stepsOnly)
{
    Console.WriteLine();
    PeersTable.RunSteps(names, path, quick);
    return 0;
}
if (onnxOnly)
{
    Console.WriteLine();
    OnnxBenchmark.Run(names, quick);
    return 0;
}
if (fullBatchOnly)
{
    Console.WriteLine();
    FullBatchTable.Run(names);
    return 0;
}
if (scalingOnly)
{
    Console.WriteLine();
    ScalingTable.Run(names, quick);
    return 0;
}
if (mlnetOnly)
{
    Console.WriteLine();
    MlNetTrainersBenchmark.Run(ml, names, quick);
    return 0;
}
if (sparseOnly)
{
    Console.WriteLine();
    SparseTextBenchmark.Run(Path.GetFullPath(path), quick);
    return 0;
}
if (modelsOnly)
{
    Console.WriteLine();
    ModelsTable.Run(names, quick, only);
    return 0;
}
if (scoringOnly)
{
    Console.WriteLine();
    ScoringTable.Run(names, only, quick ? 200 : 2_000);
    return 0;
}
if (namesOnly)
{
    Console.WriteLine();
    NamesBenchmark.Run(names);
    return 0;
}
if (mlpOnly)
{
    Console.WriteLine();
    MlpBenchmark.Run(names);
    return 0;
}
var vocabulary = CharacterVocabulary.Learn(names);
var sequences = names.Select(n => vocabulary.Encode(n)).ToList();

// 1. Counting: fit time by order.
Console.WriteLine();
Console.WriteLine("| count model (full file) | fit ms (median of 5) | distinct n-grams |");
Console.WriteLine("|---|---|---|");
{
    NGramModel? bigram = null;
    double bigramMs = Median(5, () => bigram = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), sequences));
    Console.WriteLine($"| order 2, add-1 (the lecture's bigram) | {bigramMs:F1} | {bigram!.DistinctNGramCount:N0} |");
}
foreach (int order in new[] { 2, 3, 4, 6, 8 })
{
    NGramModel? model = null;
    double ms = Median(5, () => model = NGramModel.Fit(vocabulary, order, Smoothing.KneserNey(), sequences));
    Console.WriteLine($"| order {order}, modified KN | {ms:F1} | {model!.DistinctNGramCount:N0} |");
}

// 2. Scoring throughput through PredictionEngine: our state-string façade vs a per-row parameter vector.
Console.WriteLine();
Console.WriteLine("| scoring via PredictionEngine (name 'andrej') | predictions/s | vs naive |");
Console.WriteLine("|---|---|---|");
var data = ml.Data.LoadNames(names);
var idsTransformer = ml.Transforms.Text.MapCharactersToIds().Fit(data);
var idsData = idsTransformer.Transform(data);
var input = new NameInput { Name = "andrej" };
foreach (var (label, model) in new (string, ILanguageModel)[]
{
    ("bigram add-1", NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), sequences)),
    ("order-6 modified KN", NGramModel.Fit(vocabulary, 6, Smoothing.KneserNey(), sequences)),
    ("softmax joint trigram (19,683 params)", RandomSoftmax(vocabulary, 2)),
    ("softmax joint 4-gram (531,441 params)", RandomSoftmax(vocabulary, 3)),
})
{
    var facade = LanguageModelTransformer.Create(new MLContext(), model, "Ids", idsData);
    var engine = ml.Model.CreatePredictionEngine<NameInput, ScoreRow>(new Microsoft.ML.Data.TransformerChain<ITransformer>(idsTransformer, facade));
    double ours = Throughput(() => engine.Predict(input));
    string naive = "";
    if (model is SoftmaxRegressionModel softmax)
    {
        var naiveEngine = ml.Model.CreatePredictionEngine<NameInput, NaivePerRowState.Out>(
            new Microsoft.ML.Data.TransformerChain<ITransformer>(idsTransformer, NaivePerRowState.Build(ml, idsData, softmax)));
        double before = Throughput(() => naiveEngine.Predict(input));
        naive = $"{ours / before:F0}× (naive: {before:N0}/s)";
    }
    Console.WriteLine($"| {label} | {ours:N0} | {naive} |");
}

// 3. Neural bigram training: threads and the deduplicated full batch.
Console.WriteLine();
Console.WriteLine("| neural bigram, lr 50, L2 0.01, full batch | ms/step (median of 3 runs of 20 steps) |");
Console.WriteLine("|---|---|");
int defaultThreads = Environment.ProcessorCount;
foreach (var (label, options) in new (string, SoftmaxRegressionEstimator.Options)[]
{
    ("deduplicated events, 1 thread", new() { Training = { Steps = 20 } }),
    ($"deduplicated events, {defaultThreads} threads", new() { Threads = defaultThreads, Training = { Steps = 20 } }),
    ("every event (the lecture's 228k rows), embedding, 1 thread", new() { DeduplicateFullBatch = false, Training = { Steps = 20 } }),
    ("every event, one-hot matmul (the lecture's code), 1 thread", new() { DeduplicateFullBatch = false, Encoding = Makemore.ML.TorchSharp.Models.InputEncoding.OneHot, Training = { Steps = 20 } }),
})
{
    var estimator = new SoftmaxRegressionEstimator(new MLContext(), options);
    double ms = Median(3, () => estimator.Train(vocabulary, sequences)) / options.Training.Steps;
    Console.WriteLine($"| {label} | {ms:F2} |");
}
TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);

// 4. The MLP family: training steps side by side with PyTorch, and scoring throughput.
Console.WriteLine();
MlpBenchmark.Run(names);

// 5. Cold load of saved models of growing size, each in fresh processes.
Console.WriteLine();
LoadBenchmark.Run();
return 0;

static SoftmaxRegressionModel RandomSoftmax(CharacterVocabulary vocabulary, int block)
{
    var random = new Random(1);
    var w = new float[SoftmaxRegressionModel.RowCount(vocabulary.Size, block, ContextEncoding.Joint) * vocabulary.Size];
    for (int i = 0; i < w.Length; i++)
        w[i] = (float)random.NextDouble();
    return new SoftmaxRegressionModel(vocabulary, block, ContextEncoding.Joint, w);
}

static double Median(int runs, Action action)
{
    action();
    var times = new List<double>();
    for (int i = 0; i < runs; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        times.Add(stopwatch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[runs / 2];
}

static double Throughput(Action predict)
{
    for (int i = 0; i < 50; i++)
        predict();
    var stopwatch = Stopwatch.StartNew();
    int n = 0;
    while (stopwatch.ElapsedMilliseconds < 1000)
    {
        predict();
        n++;
    }
    return n / stopwatch.Elapsed.TotalSeconds;
}

static string? FindUp(string relative)
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, relative)))
            return Path.GetFullPath(Path.Combine(dir.FullName, relative));
    return null;
}

internal sealed class ScoreRow
{
    public double LogLikelihood { get; set; }
}

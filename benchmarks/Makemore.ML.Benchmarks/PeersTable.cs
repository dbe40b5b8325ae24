using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using TorchSharp;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Issue 12's table: ours beside the limit (a bare C# loop over the same numbers) and the peers (plain Python, PyTorch
/// 1.13 on 1 thread, NLTK), measured side by side in one run: every round measures every C# contender and then runs one
/// Python round; each cell is the median over the rounds. <c>peers [--quick] [NAMES]</c>.
/// </summary>
internal static class PeersTable
{
    private const int Order = 6;

    // What a NameScore costs on x64: the object (16 B header, three doubles, an int, padding, the array reference) and
    // its next-character array (24 B header and length, 27 floats, rounded to 8).
    private const int OutputBytes = 56 + 136;

    public static void Run(IReadOnlyList<string> names, string namesPath, bool quick)
    {
        int rounds = quick ? 3 : 5, passes = 3, steps = quick ? 300 : 2_000, samples = quick ? 20_000 : 100_000;
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1);
        var ml = new MLContext(seed: 0);
        var peer = PythonPeer.Find(out string? missing);
        Machine.Print(peer);
        if (missing is not null)
            Console.WriteLine(missing);

        // The models, fitted as a user fits them: the ML.NET pipeline.
        var data = ml.Data.LoadNames(names);
        var bigramPipeline = BigramPipeline(ml);
        var bigramTransformer = bigramPipeline.Fit(data);
        var knTransformer = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: Order, smoothing: Smoothing.KneserNey())).Fit(data);
        var bigram = (NGramModel)MakemoreModel.GetLanguageModel(bigramTransformer);
        var kn = (NGramModel)MakemoreModel.GetLanguageModel(knTransformer);
        var vocabulary = bigram.Vocabulary;
        if (vocabulary.Size > 32)
            throw new InvalidOperationException("The bare loops pack ids in 5 bits: at most 32 symbols.");
        var sequences = names.Select(n => vocabulary.Encode(n)).ToList();

        // The limits' tables, from the same models.
        int[] charIds = BareLoops.CharIds(vocabulary);
        double[] bigramTable = BareLoops.BigramLogTable(bigram);
        var knTable = BareLoops.WindowLogTable(kn, names);
        float[] cumulative = BareLoops.CumulativeTable(bigram);
        string knTablePath = Path.Combine(Path.GetTempPath(), $"makemore-peers-kn{Order}-{Environment.ProcessId}.tsv");
        BareLoops.WriteWindowTable(knTable, vocabulary, Order, knTablePath);
        var (softmaxZip, bigramZip) = (SavedSoftmax(ml, data), Path.Combine(Path.GetTempPath(), $"makemore-peers-bigram-{Environment.ProcessId}.zip"));
        ml.Makemore().Save(bigramTransformer, data.Schema, bigramZip);

        var bigramScorer = NameScorer.From(bigramTransformer);
        var knScorer = NameScorer.From(knTransformer);
        var bigramEngine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(bigramTransformer);
        var knEngine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(knTransformer);
        var generator = NameGenerator.From(bigramTransformer);
        var row = new NameInput();

        var results = new Results();
        var contenders = new (string Key, Func<double> Measure)[]
        {
            ("score_bigram_scorer", () => Timing.Rate(names.Count, passes, () => { foreach (string n in names) bigramScorer.Score(n); })),
            ("score_bigram_likelihood", () => Timing.Rate(names.Count, passes, () => { foreach (string n in names) BareLoops.Sink += bigramScorer.ScoreLikelihood(n).LogLikelihood; })),
            ("score_bigram_engine", () => Timing.Rate(names.Count, passes, () => { foreach (string n in names) { row.Name = n; bigramEngine.Predict(row); } })),
            ("score_bigram_bare", () => Timing.Rate(names.Count, passes, () => BareLoops.Sink += BareLoops.ScoreBigram(names, charIds, bigramTable, vocabulary.Size))),
            ("score_kn6_scorer", () => Timing.Rate(names.Count, passes, () => { foreach (string n in names) knScorer.Score(n); })),
            ("score_kn6_likelihood", () => Timing.Rate(names.Count, passes, () => { foreach (string n in names) BareLoops.Sink += knScorer.ScoreLikelihood(n).LogLikelihood; })),
            ("score_kn6_engine", () => Timing.Rate(names.Count, passes, () => { foreach (string n in names) { row.Name = n; knEngine.Predict(row); } })),
            ("score_kn6_bare", () => Timing.Rate(names.Count, passes, () => BareLoops.Sink += BareLoops.ScoreWindows(names, charIds, knTable, Order))),
            ("sample_bigram_ours", () => Timing.Rate(samples, passes, () => generator.Generate(samples, new SamplingOptions { Seed = 1 }))),
            ("sample_bigram_bare", () => Timing.Rate(samples, passes, () => BareLoops.Sink += BareLoops.Sample(samples, cumulative, vocabulary, 1))),
            ("fit_bigram_pipeline_ms", () => Timing.Milliseconds(passes, () => bigramPipeline.Fit(data))),
            ("fit_bigram_bare_ms", () => Timing.Milliseconds(passes, () => BareLoops.Sink += BareLoops.FitBigram(names)[1])),
            ("fit_kn6_model_ms", () => Timing.Milliseconds(passes, () => NGramModel.Fit(vocabulary, Order, Smoothing.KneserNey(), sequences))),
            ("fit_kn6_bare_ms", () => Timing.Milliseconds(passes, () => BareLoops.Sink += BareLoops.CountWindows(sequences, Order).Count)),
            ("step_bigram_ms", () => StepMilliseconds(vocabulary, sequences, 1, steps)),
            ("step_trigram_ms", () => StepMilliseconds(vocabulary, sequences, 2, steps)),
            ("load_softmax_ms", () => Timing.Milliseconds(20, () => ml.Makemore().Load(softmaxZip, out _))),
            ("load_bigram_ms", () => Timing.Milliseconds(20, () => ml.Makemore().Load(bigramZip, out _))),
            ("mlnet_load_softmax_ms", () => Timing.Milliseconds(20, () => ml.Model.Load(softmaxZip, out _))),
            ("mlnet_load_bigram_ms", () => Timing.Milliseconds(20, () => ml.Model.Load(bigramZip, out _))),
        };

        // Tiered JIT: every C# path runs for a while before the first timed round.
        var warmUp = TimeSpan.FromSeconds(quick ? 0.3 : 1);
        foreach (var (_, measure) in contenders)
        {
            var clock = Stopwatch.StartNew();
            do
                measure();
            while (clock.Elapsed < warmUp);
        }

        for (int round = 0; round < rounds; round++)
        {
            Console.Error.Write($"\rpeers: round {round + 1} of {rounds}…");
            foreach (var (key, measure) in contenders)
                results.Add(key, measure());
            if (peer is not null && peer.Run(["round", namesPath, knTablePath, steps.ToString(CultureInfo.InvariantCulture), passes.ToString(CultureInfo.InvariantCulture)]) is { } python)
                results.Add(python);
        }
        Console.Error.WriteLine();
        if (peer is { HasNltk: true })
        {
            // NLTK is 4–6 orders of magnitude slower: measured once, on a subset of the names (its fit on all of them).
            Console.Error.WriteLine("peers: NLTK (once)…");
            if (peer.Run(["nltk", namesPath, quick ? "0" : "100", quick ? "300" : "2000"]) is { } nltk)
                results.Add(nltk);
            if (quick)
                results.Note("nltk_score_kn6", "full run only (its fit alone takes 15–20 s here)");
        }
        File.Delete(knTablePath);
        File.Delete(softmaxZip);
        File.Delete(bigramZip);

        Print(results, names.Count, steps, samples, kn.DistinctNGramCount);
        Console.WriteLine();
        var allocations = new (string, double)[]
        {
            ("`NameScorer.Score`, bigram", BytesPerName(names, n => bigramScorer.Score(n))),
            ("`NameScorer.Score`, 6-gram KN", BytesPerName(names, n => knScorer.Score(n))),
            ("`NameScorer.ScoreLikelihood`, 6-gram KN (its result is a struct)", BytesPerName(names, n => knScorer.ScoreLikelihood(n))),
            ("`PredictionEngine.Predict`, bigram (reused input row)", BytesPerName(names, n => { row.Name = n; bigramEngine.Predict(row); })),
            ("`PredictionEngine.Predict`, 6-gram KN (reused input row)", BytesPerName(names, n => { row.Name = n; knEngine.Predict(row); })),
        };
        Targets(results, allocations);
        Console.WriteLine();
        Breakdown(ml, names, quick);
    }

    private static Microsoft.ML.Data.EstimatorChain<LanguageModelTransformer<NGramModel>> BigramPipeline(MLContext ml) =>
        ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: 2, smoothing: Smoothing.AddK(1)));

    private static void Print(Results r, int nameCount, int steps, int samples, int knNGrams)
    {
        string nltkLaplace = r.Has("nltk_score_laplace2_names") ? $" ({r.Get("nltk_score_laplace2_names"):N0} names; fit {r.Get("nltk_fit_laplace2_ms"):N0} ms)" : "";
        string nltkKn = r.Has("nltk_score_kn6_names") ? $" ({r.Get("nltk_score_kn6_names"):N0} names; fit {r.Get("nltk_fit_kn6_ms"):N0} ms)" : "";
        Console.WriteLine($"| work (unit) | contender | value | ours ÷ contender (speed; > 1: ours faster) |");
        Console.WriteLine("|---|---|---|---|");
        Group(r, $"scoring, bigram add-1 (names/s, all {nameCount:N0} names)", higherIsBetter: true,
        [
            ("ours: `NameScorer.Score` (every column: NLL, perplexity, next-character distribution)", "score_bigram_scorer"),
            ("ours: `NameScorer.ScoreLikelihood` (the log-likelihood only, as the loops below)", "score_bigram_likelihood"),
            ("ours: `PredictionEngine<NameInput, NameScore>`", "score_bigram_engine"),
            ("bare C# loop, dense table (the limit)", "score_bigram_bare"),
            ("plain Python, list-of-lists table", "py_score_bigram"),
            ($"NLTK `Laplace(2)`{nltkLaplace}", "nltk_score_laplace2"),
        ]);
        Group(r, $"scoring, 6-gram modified KN ({knNGrams:N0} n-grams; names/s)", higherIsBetter: true,
        [
            ("ours: `NameScorer.Score` (every column: NLL, perplexity, next-character distribution)", "score_kn6_scorer"),
            ("ours: `NameScorer.ScoreLikelihood` (the log-likelihood only, as the loops below)", "score_kn6_likelihood"),
            ("ours: `PredictionEngine<NameInput, NameScore>`", "score_kn6_engine"),
            ("bare C# loop, Dictionary<ulong,double> per window (the limit)", "score_kn6_bare"),
            ("plain Python, dict per window", "py_score_kn6"),
            ($"NLTK `KneserNeyInterpolated(6)`{nltkKn}", "nltk_score_kn6"),
        ]);
        Group(r, $"sampling, bigram (names/s, {samples:N0} names)", higherIsBetter: true,
        [
            ("ours: `NameGenerator.Generate`", "sample_bigram_ours"),
            ("bare C# loop, float cumulative table, same RNG (the limit)", "sample_bigram_bare"),
        ]);
        Group(r, "fit, bigram add-1 (ms)", higherIsBetter: false,
        [
            ("ours: `pipeline.Fit` (MapCharactersToIds → NGram)", "fit_bigram_pipeline_ms"),
            ("bare C# loop: characters, int[V·V] counts, log table (the limit)", "fit_bigram_bare_ms"),
            ("Python dict + torch tensor (the lecture's way), 1 thread", "torch_fit_bigram_ms"),
        ]);
        Group(r, "fit, 6-gram modified KN, model only (ms)", higherIsBetter: false,
        [
            ("ours: `NGramModel.Fit`", "fit_kn6_model_ms"),
            ("bare C# Dictionary<ulong,int> count (the limit)", "fit_kn6_bare_ms"),
        ]);
        Group(r, $"training step, neural bigram, batch 32, 1 thread (ms/step, {steps:N0} steps)", higherIsBetter: false,
        [
            ("ours: `SoftmaxRegressionEstimator` (TorchSharp)", "step_bigram_ms"),
            ("PyTorch 1.13, same ops", "torch_step_bigram_ms"),
        ]);
        Group(r, $"training step, neural trigram (729×27), batch 32, 1 thread (ms/step, {steps:N0} steps)", higherIsBetter: false,
        [
            ("ours: `SoftmaxRegressionEstimator` (TorchSharp)", "step_trigram_ms"),
            ("PyTorch 1.13, same ops", "torch_step_trigram_ms"),
        ]);
        Group(r, "warm load, softmax 729×27 (ms)", higherIsBetter: false,
        [
            ("ours: `ml.Makemore().Load` (verified, in memory)", "load_softmax_ms"),
            ("ML.NET's `mlContext.Model.Load` of the same zip (temporary files)", "mlnet_load_softmax_ms"),
            ("`torch.load` of a 729×27 tensor", "torch_load_729x27_ms"),
        ]);
        Group(r, "warm load, bigram 27×27 (ms)", higherIsBetter: false,
        [
            ("ours: `ml.Makemore().Load` (verified, in memory)", "load_bigram_ms"),
            ("ML.NET's `mlContext.Model.Load` of the same zip (temporary files)", "mlnet_load_bigram_ms"),
            ("`torch.load` of a 27×27 tensor", "torch_load_27x27_ms"),
        ]);
    }

    private static void Group(Results r, string work, bool higherIsBetter, (string Label, string Key)[] rows)
    {
        double ours = r.Get(rows[0].Key);
        bool first = true;
        foreach (var (label, key) in rows)
        {
            string cell = r.Has(key) ? Format(r.Get(key), higherIsBetter) : r.NoteOf(key) ?? "missing (see above)";
            string ratio = r.Has(key) ? Ratio(higherIsBetter ? ours / r.Get(key) : r.Get(key) / ours) : "-";
            Console.WriteLine($"| {(first ? work : "")} | {label} | {cell} | {ratio} |");
            first = false;
        }
    }

    private static string Format(double value, bool rate) => rate
        ? value >= 1e6 ? $"{value / 1e6:F2}M" : value >= 1e4 ? $"{value / 1e3:F0}k" : $"{value:F1}"
        : value >= 10 ? $"{value:F1}" : $"{value:F3}";

    private static string Ratio(double ratio) => ratio >= 10 ? $"{ratio:N0}×" : ratio >= 0.1 ? $"{ratio:F2}×" : $"{ratio:G2}×";

    // Issue 12's targets, each a ratio of this run.
    private static void Targets(Results r, (string Name, double Bytes)[] allocations)
    {
        Console.WriteLine("Issue 12's targets, from the medians above:");
        Console.WriteLine();
        Console.WriteLine("| target | measured | met |");
        Console.WriteLine("|---|---|---|");
        void Row(string target, string[] keys, Func<Func<string, double>, double> value, Func<double, bool> met, string format)
        {
            if (!keys.All(r.Has))
            {
                Console.WriteLine($"| {target} | missing (see above) | - |");
                return;
            }
            double v = value(r.Get);
            Console.WriteLine($"| {target} | {v.ToString(format, CultureInfo.InvariantCulture)} | {(met(v) ? "yes" : "**no**")} |");
        }
        Row("bigram `NameScorer.ScoreLikelihood` ≥ 0.25 of the bare loop", ["score_bigram_likelihood", "score_bigram_bare"], g => g("score_bigram_likelihood") / g("score_bigram_bare"), v => v >= 0.25, "F3");
        Row("6-gram KN `NameScorer.ScoreLikelihood` ≥ 0.15 of the bare loop", ["score_kn6_likelihood", "score_kn6_bare"], g => g("score_kn6_likelihood") / g("score_kn6_bare"), v => v >= 0.15, "F3");
        Row("bigram `NameScorer.Score` (every column) ≥ 0.25 of the bare loop", ["score_bigram_scorer", "score_bigram_bare"], g => g("score_bigram_scorer") / g("score_bigram_bare"), v => v >= 0.25, "F3");
        Row("6-gram KN `NameScorer.Score` (every column) ≥ 0.15 of the bare loop", ["score_kn6_scorer", "score_kn6_bare"], g => g("score_kn6_scorer") / g("score_kn6_bare"), v => v >= 0.15, "F3");
        Row("bigram `PredictionEngine` within 1.5× of `NameScorer` (time ratio)", ["score_bigram_scorer", "score_bigram_engine"], g => g("score_bigram_scorer") / g("score_bigram_engine"), v => v <= 1.5, "F2");
        Row("6-gram KN `PredictionEngine` within 1.5× of `NameScorer` (time ratio)", ["score_kn6_scorer", "score_kn6_engine"], g => g("score_kn6_scorer") / g("score_kn6_engine"), v => v <= 1.5, "F2");
        Row("bigram sampling ≥ 0.5 of the bare sampler", ["sample_bigram_ours", "sample_bigram_bare"], g => g("sample_bigram_ours") / g("sample_bigram_bare"), v => v >= 0.5, "F3");
        Row("bigram `pipeline.Fit` ≤ 10× the bare counting loop", ["fit_bigram_pipeline_ms", "fit_bigram_bare_ms"], g => g("fit_bigram_pipeline_ms") / g("fit_bigram_bare_ms"), v => v <= 10, "F1");
        Row("bigram `pipeline.Fit` faster than Python dict + tensor (time ratio < 1)", ["fit_bigram_pipeline_ms", "torch_fit_bigram_ms"], g => g("fit_bigram_pipeline_ms") / g("torch_fit_bigram_ms"), v => v < 1, "F2");
        Row("6-gram KN `NGramModel.Fit` ≤ 4× the bare dictionary count", ["fit_kn6_model_ms", "fit_kn6_bare_ms"], g => g("fit_kn6_model_ms") / g("fit_kn6_bare_ms"), v => v <= 4, "F1");
        Row("neural bigram step ≥ 1.2× PyTorch's speed", ["step_bigram_ms", "torch_step_bigram_ms"], g => g("torch_step_bigram_ms") / g("step_bigram_ms"), v => v >= 1.2, "F2");
        Row("neural trigram step ≥ 1.2× PyTorch's speed", ["step_trigram_ms", "torch_step_trigram_ms"], g => g("torch_step_trigram_ms") / g("step_trigram_ms"), v => v >= 1.2, "F2");
        Row("warm `ml.Makemore().Load` of the softmax 729×27 ≤ 5 ms", ["load_softmax_ms"], g => g("load_softmax_ms"), v => v <= 5, "F2");
        Row("warm `ml.Makemore().Load` of the bigram ≤ 5 ms", ["load_bigram_ms"], g => g("load_bigram_ms"), v => v <= 5, "F2");
        foreach (var (name, bytes) in allocations)
            Console.WriteLine($"| allocated per name, {name}: only the output (`NameScore` 56 B + float[27] 136 B = 192 B) | {bytes:F0} B | {(Math.Round(bytes) <= OutputBytes ? "yes" : "**no**")} |");
    }

    private static double BytesPerName(IReadOnlyList<string> names, Action<string> score)
    {
        foreach (string n in names)
            score(n);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (string n in names)
            score(n);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)names.Count;
    }

    // "Where the time goes" for the bigram's pipeline.Fit: its stages timed one by one with the same public calls.
    private static void Breakdown(MLContext ml, IReadOnlyList<string> names, bool quick)
    {
        int runs = quick ? 5 : 11;
        var stages = new (string Name, Func<double> Measure)[]
        {
            ("`ml.Data.LoadNames(list)` (the view)", () => Timing.Milliseconds(runs, () => ml.Data.LoadNames(names))),
            ("`MapCharactersToIds().Fit` (learn the vocabulary through the view)", () => Timing.Milliseconds(runs, () => ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Fit(ml.Data.LoadNames(names)))),
            ("`CharacterVocabulary.Learn(names)` alone", () => Timing.Milliseconds(runs, () => CharacterVocabulary.Learn(names))),
            ("read the Ids column through a cursor", () =>
            {
                var view = ml.Data.LoadNames(names);
                var ids = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Fit(view).Transform(view);
                return Timing.Milliseconds(runs, () => ReadIds(ids));
            }),
            ("`vocabulary.Encode` of every name (no view)", () =>
            {
                var vocabulary = CharacterVocabulary.Learn(names);
                return Timing.Milliseconds(runs, () => { foreach (string n in names) vocabulary.Encode(n); });
            }),
            ("`NGramModel.Fit(order 2, add-1)` on the ids", () =>
            {
                var vocabulary = CharacterVocabulary.Learn(names);
                var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
                return Timing.Milliseconds(runs, () => NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), sequences));
            }),
            ("`PlausibilityTable.FromSequences` (scores every training name)", () =>
            {
                var vocabulary = CharacterVocabulary.Learn(names);
                var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
                var model = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), sequences);
                return Timing.Milliseconds(runs, () => PlausibilityTable.FromSequences(model, sequences));
            }),
            ("`LanguageModelTransformer.Create` (the façade over the Ids view)", () =>
            {
                var view = ml.Data.LoadNames(names);
                var ids = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Fit(view).Transform(view);
                var vocabulary = CharacterVocabulary.Learn(names);
                var model = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), names.Select(n => vocabulary.Encode(n)).ToList());
                return Timing.Milliseconds(runs, () => LanguageModelTransformer.Create(ml, model, "Ids", ids));
            }),
            ("the whole `pipeline.Fit`", () => Timing.Milliseconds(runs, () => BigramPipeline(ml).Fit(ml.Data.LoadNames(names)))),
        };
        Console.WriteLine($"Where the bigram's `pipeline.Fit` spends its time (ms, median of {runs}, after a warm-up; stages overlap: each is timed with the public calls that reach it):");
        Console.WriteLine();
        Console.WriteLine("| stage | ms |");
        Console.WriteLine("|---|---|");
        foreach (var (name, measure) in stages)
        {
            measure();
            Console.WriteLine($"| {name} | {measure():F2} |");
        }
    }

    private static int ReadIds(IDataView view)
    {
        var column = view.Schema["Ids"];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<int>>(column);
        var buffer = default(Microsoft.ML.Data.VBuffer<int>);
        int total = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            total += buffer.Length;
        }
        return total;
    }

    private static string SavedSoftmax(MLContext ml, IDataView data)
    {
        var pipeline = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.SoftmaxRegression(new SoftmaxRegressionEstimator.Options { BlockSize = 2, Threads = 1, Training = { Steps = 1 } }));
        string path = Path.Combine(Path.GetTempPath(), $"makemore-peers-softmax-{Environment.ProcessId}.zip");
        ml.Makemore().Save(pipeline.Fit(data), data.Schema, path);
        return path;
    }

    /// <summary>
    /// The neural n-gram steps alone, ours and PyTorch's interleaved: each round runs our bigram and trigram and then one
    /// Python round of both; medians over the rounds. <c>steps [--quick] [NAMES]</c>.
    /// </summary>
    public static void RunSteps(IReadOnlyList<string> names, string namesPath, bool quick)
    {
        int rounds = quick ? 5 : 9, steps = quick ? 1_000 : 2_000;
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1);
        var peer = PythonPeer.Find(out string? missing);
        Machine.Print(peer);
        if (missing is not null)
            Console.WriteLine(missing);
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
        var results = new Results();
        for (int round = 0; round < rounds; round++)
        {
            Console.Error.Write($"\rsteps: round {round + 1} of {rounds}…");
            results.Add("step_bigram_ms", StepMilliseconds(vocabulary, sequences, 1, steps));
            results.Add("step_trigram_ms", StepMilliseconds(vocabulary, sequences, 2, steps));
            results.Add("autograd_step_bigram_ms", AutogradStepMilliseconds(vocabulary, sequences, 1, steps));
            results.Add("autograd_step_trigram_ms", AutogradStepMilliseconds(vocabulary, sequences, 2, steps));
            if (peer is { HasTorch: true } && peer.Run(["steps", namesPath, steps.ToString(CultureInfo.InvariantCulture)]) is { } python)
                results.Add(python);
        }
        Console.Error.WriteLine();
        Console.WriteLine($"| neural n-gram step, batch 32, 1 thread ({steps:N0} steps after 200, median of {rounds} interleaved rounds) | ours ms/step | ours through autograd ms/step | PyTorch ms/step | ours ÷ PyTorch (speed; > 1: ours faster) | autograd ÷ PyTorch |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (label, key) in new[] { ("bigram (27×27)", "bigram"), ("trigram (729×27)", "trigram") })
        {
            double ours = results.Get($"step_{key}_ms"), autograd = results.Get($"autograd_step_{key}_ms");
            bool hasTorch = results.Has($"torch_step_{key}_ms");
            double torch = hasTorch ? results.Get($"torch_step_{key}_ms") : double.NaN;
            Console.WriteLine($"| {label} | {ours:F4} | {autograd:F4} | {(hasTorch ? $"{torch:F4}" : "—")} | {(hasTorch ? $"{torch / ours:F2}" : "—")} | {(hasTorch ? $"{torch / autograd:F2}" : "—")} |");
        }
    }

    // The same run through backward and the optimizer (the loop without the model's hand-written step): the "before".
    private static double AutogradStepMilliseconds(CharacterVocabulary vocabulary, List<int[]> sequences, int blockSize, int steps)
    {
        const int WarmUp = 200;
        var (rows, targets) = (new List<long>(), new List<long>());
        foreach (int[] ids in sequences)
        {
            long row = 0, modulus = (long)Math.Pow(vocabulary.Size, blockSize);
            for (int i = 0; i <= ids.Length; i++)
            {
                int next = i < ids.Length ? ids[i] : 0;
                rows.Add(row);
                targets.Add(next);
                row = row * vocabulary.Size % modulus + next;
            }
        }
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(2147483647);
        using var module = new SoftmaxRegression(vocabulary.Size, blockSize, ContextEncoding.Joint, InputEncoding.Embedding, generator);
        var indexed = TrainableModel.IndexedSoftmaxWithL2(module, module.W, r => r, SoftmaxRegressionEstimator.Defaults.L2);
        var result = TrainingLoop.Run(new TrainableModel(module, indexed.Loss), new ExampleSet(torch.tensor(rows.ToArray()), torch.tensor(targets.ToArray())),
            new TrainingOptions { Steps = WarmUp + steps, BatchSize = 32, LearningRate = 10, Optimizer = new SgdOptions(), Seed = 2147483647 });
        var history = result.History;
        return (history[^1].Elapsed - history[WarmUp - 1].Elapsed).TotalMilliseconds / steps;
    }

    // ms/step of our trainer at batch 32 on 1 thread, after 200 warm-up steps, read from its own step clock.
    private static double StepMilliseconds(CharacterVocabulary vocabulary, List<int[]> sequences, int blockSize, int steps)
    {
        const int WarmUp = 200;
        var estimator = new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options
        {
            BlockSize = blockSize,
            Threads = 1,
            Training = { BatchSize = 32, Steps = WarmUp + steps, LearningRate = 10 },
        });
        var history = estimator.Train(vocabulary, sequences).Training.History;
        return (history[^1].Elapsed - history[WarmUp - 1].Elapsed).TotalMilliseconds / steps;
    }

    /// <summary>Per key, the value of every round; a cell is their median.</summary>
    private sealed class Results
    {
        private readonly Dictionary<string, List<double>> _values = [];
        private readonly Dictionary<string, string> _notes = [];

        /// <summary>Why a key has no value (printed in its cell).</summary>
        public void Note(string key, string why) => _notes[key] = why;

        public string? NoteOf(string key) => _notes.GetValueOrDefault(key);

        public void Add(string key, double value)
        {
            if (!_values.TryGetValue(key, out var list))
                _values[key] = list = [];
            list.Add(value);
        }

        public void Add(Dictionary<string, JsonElement> values)
        {
            foreach (var (key, value) in values)
                if (value.ValueKind == JsonValueKind.Number)
                    Add(key, value.GetDouble());
        }

        public bool Has(string key) => _values.ContainsKey(key);

        public double Get(string key)
        {
            var sorted = _values[key].Order().ToArray();
            return sorted[sorted.Length / 2];
        }
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore train</c>: fit on the train part, report every part, save the zip, show samples.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var input = CommonOptions.Input();
        var model = new Option<string>("--output", "-o") { Description = "Where to save the model zip", DefaultValueFactory = _ => "names-model.zip" };
        var type = new Option<string>("--type")
        {
            Description = "ngram (counts), softmax (the lecture's neural n-gram), mlp (Bengio 2003, part 2), bn-mlp (part 3), wavenet (part 5), rnn, gru, lstm, bow or transformer (makemore.py's); the neural ones train on TorchSharp",
            DefaultValueFactory = _ => "ngram",
        };
        var split = CommonOptions.Split("lecture");
        var seed = new Option<int>("--seed")
        {
            Description = $"Seed of the run: initialisation, batches, the samples shown (when not given, samples use {SamplingOptions.LectureSeed}) and, without --split-seed, --split random",
            DefaultValueFactory = _ => 42,
        }.Within(0);
        var splitSeed = CommonOptions.SplitSeed(seedAlias: false);
        var order = new Option<int>("--order") { Description = "ngram: n, 1–8 (2 = bigram)", DefaultValueFactory = _ => 2 }.Within(1, 8);
        var smoothing = new Option<string>("--smoothing") { Description = "ngram: none, add-k:K, kneser-ney or kneser-ney:D", DefaultValueFactory = _ => "add-k:1" };
        var blockSize = new Option<int?>("--block-size") { Description = $"softmax, mlp family: previous characters seen (default: {KindDefaults.BlockSize})" }.Within(1, 64);
        var embedding = new Option<int?>("--n-embd") { Description = $"mlp family, rnn, gru, lstm, bow, transformer: width of a character embedding (default: {KindDefaults.EmbeddingSize})" }.Within(1, 4096);
        var embedding2 = new Option<int>("--n-embd2") { Description = "rnn, gru, lstm: width of the hidden state (makemore.py: 64)", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.HiddenSize }.Within(1, 4096);
        var layers = new Option<int?>("--n-layer") { Description = $"mlp, bn-mlp: hidden layers (more is part 3's deeper network); wavenet: levels; transformer: blocks (default: {KindDefaults.LayerCount})" }.Within(1, 64);
        var heads = new Option<int>("--n-head") { Description = "transformer: attention heads (makemore.py: 4); must divide --n-embd", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.HeadCount }.Within(1, 64);
        var tieWeights = new Option<bool>("--tie-weights") { Description = "transformer: read out through the token embeddings instead of a separate lm_head (GPT-2's weight tying; makemore.py: off)", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.TieWeights };
        var dropout = new Option<double>("--dropout") { Description = "transformer: dropout while training, on the embeddings and each residual branch (makemore.py: 0)", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.Dropout }.NonNegative();
        var teacher = new Option<string?>("--teacher") { Description = "rnn, gru, lstm, bow, transformer: distil this saved model (any type, an interpolation too; same input file): each training target mixes its next-character distribution with the character seen" };
        var teacherWeight = new Option<double>("--teacher-weight") { Description = "with --teacher: the teacher's share of each training target, in (0, 1]", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.TeacherWeight }.Positive();
        var weightDecay = new Option<double?>("--weight-decay") { Description = "neural models but softmax: the optimizer's weight decay (adamw: 0.01, makemore.py's; sgd: 0)" };
        var hidden = new Option<int?>("--n-hidden") { Description = $"mlp family: units per hidden layer (default: {KindDefaults.HiddenSize})" }.Within(1, 65536);
        var schedule = new Option<string>("--lr-schedule")
        {
            Description = "mlp family, rnn, gru, lstm, bow, transformer: step:N (lr × 0.1 after step N; the lectures: 100000, wavenet 150000), cosine[:WARMUP] or constant (rnn, gru, lstm: constant, as makemore.py)",
        };
        var optimizer = new Option<string?>("--optimizer") { Description = $"mlp family, rnn, gru, lstm, bow, transformer: sgd or adamw (makemore.py's settings) (default: {KindDefaults.Optimizer})" };
        var evalEvery = new Option<int?>("--eval-every") { Description = $"mlp family, rnn, gru, lstm, bow, transformer: evaluate on the whole dev part every N steps and keep the best model (default: {KindDefaults.EvaluationInterval})" }.Within(1);
        var patience = new Option<int?>("--patience") { Description = "mlp family, rnn, gru, lstm, bow, transformer: stop after this many evaluations without a better dev loss" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "mlp family, rnn, gru, lstm, bow, transformer: write a resumable checkpoint here (atomically) every --eval-every steps and at the end" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "neural models: stop after this many minutes of training, keeping the best model on dev" };
        var resume = new Option<string?>("--resume") { Description = "mlp family, rnn, gru, lstm, bow, transformer: continue from a checkpoint written with --checkpoint (same options)" };
        var context = new Option<string>("--context") { Description = "softmax: joint (V^block rows of W) or per-position", DefaultValueFactory = _ => Name(SoftmaxRegressionEstimator.Defaults.Context) };
        var encoding = new Option<string>("--encoding") { Description = "softmax: one-hot (the lecture) or embedding (row lookup, E04)", DefaultValueFactory = _ => Name(SoftmaxRegressionEstimator.Defaults.Encoding) };
        var l2 = new Option<double>("--l2") { Description = "softmax: L2 strength on W", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.L2 }.NonNegative(fitsFloat: true);
        var lr = new Option<double?>("--lr") { Description = $"softmax, mlp family, rnn, gru, lstm, bow, transformer: learning rate (default: {KindDefaults.LearningRates})" }.Positive(fitsFloat: true);
        var steps = new Option<int?>("--steps") { Description = $"softmax, mlp family, rnn, gru, lstm, bow, transformer: gradient steps (default: {KindDefaults.Steps})" }.Within(1);
        var batchSize = new Option<int?>("--batch-size") { Description = "softmax, mlp family, rnn, gru, lstm, bow, transformer: examples per step (softmax: full batch; the others: 32)" };
        var threads = new Option<int?>("--threads") { Description = $"softmax, mlp family, rnn, gru, lstm, bow, transformer: libtorch threads (default: {KindDefaults.Threads})" }.Within(1, 256);
        var samples = new Option<int>("--samples") { Description = "Samples to show after training", DefaultValueFactory = _ => 10 }.Within(0);
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var json = CommonOptions.Json();
        var topK = new Option<int>("--top-k") { Description = "Samples: keep only the k most likely characters at each step (0: all)", DefaultValueFactory = _ => 0 }.Within(0);
        var allowOtherData = new Option<bool>(SameData.OptOutFlag) { Description = "with --teacher: accept a teacher trained on another file or split (then no figure is a test figure)" };
        var sampleOnly = new Option<bool>("--sample-only") { Description = "Do not train: load the model at -o and print samples (makemore.py's flag)" };
        var unknown = new Option<string>("--unknown")
        {
            Description = "What the saved model does with a character outside its vocabulary (learned from the whole input file): error, skip or map (to one unknown symbol)",
            DefaultValueFactory = _ => "error",
        };
        var maxNameLength = new Option<int>("--max-name-length") { Description = "Leave out of the run (train, dev, test and vocabulary) the names longer than this, with a note saying how many (a stray huge line otherwise sets rnn, gru, lstm, bow and transformer's block size)" }.Within(1);
        var command = new Command("train", "Train a model on the train part, print train/dev/test NLL and samples, save a zip.\n" +
            "Example: makemore train --order 3 --smoothing kneser-ney -o trigram.zip")
        {
            input, model, type, split, seed, splitSeed, order, smoothing, blockSize, context, encoding, l2, lr, steps, batchSize, threads, samples, quiet, json, topK, sampleOnly, unknown,
            embedding, embedding2, hidden, layers, heads, dropout, tieWeights, weightDecay, timeLimit, schedule, optimizer, evalEvery, patience, checkpoint, resume,
            teacher, teacherWeight, allowOtherData, maxNameLength,
        };
        command.SetAction(parse =>
        {
            // One --seed for the run, as in makemore.py; without it the samples are the lecture's.
            var sampling = new SamplingOptions
            {
                Seed = parse.GetResult(seed) is { Implicit: false } ? parse.GetValue(seed) : SamplingOptions.LectureSeed,
                TopK = parse.GetValue(topK),
            };
            if (parse.GetValue(sampleOnly))
            {
                var saved = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(model)!));
                foreach (string name in new NameGenerator(saved).Generate(parse.GetValue(samples), sampling))
                    output.WriteLine(name);
                return 0;
            }
            string path = DataFiles.Resolve(parse.GetValue(input));
            string zip = parse.GetValue(model)!;
            // Fail on an unusable output path now, not after training. Resuming from the checkpoint the run goes on writing
            // is how --resume is meant to be used; every other output that is an input is a mistake.
            string? checkpointPath = Given<string>(parse, "--checkpoint");
            string? teacherPath = Given<string>(parse, "--teacher");
            OutputPaths.Apart(("--output", zip), ("--checkpoint", checkpointPath));
            OutputPaths.Check("--output", zip, ("-i", path), ("--teacher", teacherPath), ("--resume", Given<string>(parse, "--resume")));
            if (checkpointPath is not null)
                OutputPaths.Check("--checkpoint", checkpointPath, ("-i", path), ("--teacher", teacherPath));
            var names = WithoutLongNames(parse, DataFiles.Read(path), error);
            var protocol = DataFiles.ParseSplit(parse.GetValue(split)!);
            int splitSeedValue = parse.GetResult(splitSeed) is { Implicit: false } ? parse.GetValue(splitSeed) : parse.GetValue(seed);
            var parts = DataFiles.Parts(names, protocol, splitSeedValue);
            // What the model is fitted on, saved with it: eval, sample and serve then use its own split by default.
            var provenance = DataProvenance.Of(path, names.Count, protocol, splitSeedValue) with
            {
                MaxNameLength = Has(parse, "--max-name-length") ? Given<int>(parse, "--max-name-length") : null,
            };
            if (parts[0].Names.Count == 0)
                throw new UsageException($"the train part of {path} is empty: the file is too small for --split {parse.GetValue(split)}");
            // A model that existed before the run is never replaced by an interrupted one (it is saved beside it).
            bool zipExisted = File.Exists(zip);
            var policy = UnknownCharacters.Parse(parse.GetValue(unknown)!);
            if (parse.GetValue(batchSize) is int rows && rows < 1)
                throw new UsageException($"--batch-size must be at least 1 (got {rows}); leave it out for the full batch");
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadNames(parts[0].Names);
            using var interrupt = new CancellationTokenSource();
            MlpKind? kind = parse.GetValue(type) switch
            {
                "mlp" => MlpKind.Mlp,
                "bn-mlp" => MlpKind.BatchNormMlp,
                "wavenet" => MlpKind.WaveNet,
                _ => null,
            };
            var mlpOptions = kind is MlpKind k ? MlpFlags(parse, k, path, error) : null;
            SequenceModelKind? sequenceKind = parse.GetValue(type) switch
            {
                "rnn" => SequenceModelKind.Rnn,
                "gru" => SequenceModelKind.Gru,
                "lstm" => SequenceModelKind.Lstm,
                "bow" => SequenceModelKind.BagOfWords,
                "transformer" => SequenceModelKind.Transformer,
                _ => null,
            };
            if (sequenceKind is null && (Has(parse, "--teacher") || Has(parse, "--teacher-weight")))
                throw new UsageException($"--teacher and --teacher-weight apply to rnn, gru, lstm, bow and transformer, not to --type {parse.GetValue(type)}");
            // A teacher fitted on other names would leak this run's dev and test names into its targets.
            string? teacherMismatch = null;
            var teacherMetadata = teacherPath is not null ? MakemoreModel.GetMetadata(Models.Load(new MLContext(), teacherPath)) : null;
            if (teacherMetadata is not null)
                teacherMismatch = SameData.Require(teacherPath!, teacherMetadata, provenance, "--teacher", parse.GetValue(allowOtherData));
            var sequenceOptions = sequenceKind is SequenceModelKind s ? SequenceFlags(parse, s, names, path, error) : null;
            var training = mlpOptions?.Training ?? sequenceOptions?.Training;
            int totalSteps = training?.Steps ?? parse.GetValue(steps) ?? SoftmaxRegressionEstimator.Defaults.Steps;
            var progress = parse.GetValue(quiet) ? null : new Progress(error, totalSteps);
            if (training is not null)
            {
                training.Progress = progress;
                training.CancellationToken = interrupt.Token;
            }
            // Ctrl+C during training stops after the current step; a model with at least one step is evaluated and saved,
            // marked as interrupted. A second Ctrl+C ends the process at once (the save is atomic: no half-written file),
            // after one line that says what is on disk.
            string? savedTo = null;
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (interrupt.IsCancellationRequested)
                {
                    error.WriteLine($"makemore: quit at once. {Kept(savedTo, zip, training?.CheckpointPath)}");
                    return;
                }
                e.Cancel = true;
                error.WriteLine();
                error.WriteLine("makemore: interrupted; stopping after this step (Ctrl+C again to quit at once)");
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            using var unhook = new Unhook(() => Console.CancelKeyPress -= onCancel);
            IEstimator<LanguageModelTransformer> trainer = parse.GetValue(type) switch
            {
                "ngram" => ml.Makemore().Trainers.NGram(new NGramOptions
                {
                    Order = parse.GetValue(order),
                    Smoothing = Parse(() => Smoothing.Parse(parse.GetValue(smoothing)!)),
                }),
                "softmax" => ml.Makemore().Trainers.SoftmaxRegression(new SoftmaxRegressionOptions
                {
                    BlockSize = parse.GetValue(blockSize) ?? SoftmaxRegressionEstimator.Defaults.BlockSize,
                    Context = parse.GetValue(context) switch
                    {
                        "joint" => ContextEncoding.Joint,
                        "per-position" => ContextEncoding.PerPosition,
                        var other => throw new UsageException($"unknown context '{other}': use joint or per-position"),
                    },
                    Encoding = parse.GetValue(encoding) switch
                    {
                        "one-hot" => InputEncoding.OneHot,
                        "embedding" => InputEncoding.Embedding,
                        var other => throw new UsageException($"unknown encoding '{other}': use one-hot or embedding"),
                    },
                    L2 = parse.GetValue(l2),
                    LearningRate = parse.GetValue(lr) ?? SoftmaxRegressionEstimator.Defaults.LearningRate,
                    Steps = parse.GetValue(steps) ?? SoftmaxRegressionEstimator.Defaults.Steps,
                    BatchSize = parse.GetValue(batchSize),
                    Threads = parse.GetValue(threads) ?? SoftmaxRegressionEstimator.Defaults.Threads,
                    Progress = progress,
                    CancellationToken = interrupt.Token,
                }),
                "mlp" or "bn-mlp" or "wavenet" => ml.Makemore().Trainers.Mlp(mlpOptions!),
                "rnn" or "gru" or "lstm" or "bow" or "transformer" => ml.Makemore().Trainers.Sequence(sequenceOptions!),
                var other => throw new UsageException($"unknown model type '{other}': use ngram, softmax, mlp, bn-mlp, wavenet, rnn, gru, lstm, bow or transformer"),
            };
            var stopwatch = Stopwatch.StartNew();
            // The vocabulary comes from the whole input file, as makemore.py builds it, so a character that only dev or
            // test has is still a symbol of the model; the trainer sees the train part only.
            var ids = ml.Transforms.Text.MapCharactersToIds(unknownCharacters: policy).Fit(ml.Data.LoadNames(names));
            LanguageModelTransformer trained;
            try
            {
                // The MLP family and the sequence models evaluate on the dev part while training and keep the best model on it.
                var dev = parts.FirstOrDefault(p => p.Part == "dev").Names is { Count: > 0 } devNames ? ids.Transform(ml.Data.LoadNames(devNames)) : null;
                trained = trainer switch
                {
                    MlpEstimator mlp => mlp.Fit(ids.Transform(train), dev),
                    SequenceModelEstimator sequence => sequence.Fit(ids.Transform(train), dev),
                    _ => trainer.Fit(ids.Transform(train)),
                };
            }
            catch (TrainingDivergedException e)
            {
                throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"training diverged at step {e.Step} of {e.Steps} (loss {e.Loss}): use a smaller --lr than {e.LearningRate:G6}. {NothingSaved(zip)}"));
            }
            stopwatch.Stop();
            progress?.Done();
            var languageModel = trained.Model;
            // Steps are counted for the neural trainers only (a count model has none, and no step metadata).
            var trainingResult = trainer is NGramEstimator ? null : trained.Training;
            int? stepsDone = trainingResult?.LastStep;
            if (interrupt.IsCancellationRequested && (stepsDone ?? 0) == 0)
            {
                // Nothing trained (a count model is not interruptible: its fit is all or nothing): keep the old file.
                error.WriteLine($"makemore: interrupted before any training step completed. {NothingSaved(zip)}");
                return Interrupted;
            }
            var fitted = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(ml, languageModel, "Ids", ids.Transform(train)));

            bool asJson = parse.GetValue(json);
            // A reader that goes away (| head) must not cost the finished training: the model is saved whatever happens to stdout.
            var stdout = new ClosableReport(output);
            var report = asJson ? TextWriter.Null : stdout;
            report.WriteLine($"data: {path} ({names.Count:N0} names), split: {parse.GetValue(split)}");
            report.WriteLine($"model: {languageModel}");
            string counting = trainer is NGramEstimator
                ? string.Create(CultureInfo.InvariantCulture, $" (counting and smoothing: {trained.Training.Duration.TotalMilliseconds:F1} ms; the rest is reading the data through the ML.NET pipeline, learning the vocabulary and first-call JIT)")
                : "";
            report.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fit: {stopwatch.Elapsed.TotalMilliseconds:F1} ms{counting}"));
            report.WriteLine();
            // What the model is saved with; no timings, so that the same data, options and seed give the same bytes.
            var metadata = new Dictionary<string, object>
            {
                ["command"] = "makemore " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
            };
            foreach (var (key, value) in provenance.ToMetadata())
                metadata[key] = value;
            if (teacherMetadata is not null)
            {
                metadata["teacher"] = Path.GetFullPath(teacherPath!);
                if (DataProvenance.FromMetadata(teacherMetadata) is { } teacherData)
                    foreach (var (key, value) in teacherData.ToMetadata("teacher_"))
                        metadata[key] = value;
                if (teacherMismatch is not null)
                    metadata["teacher_other_data"] = teacherMismatch;
            }
            if (stepsDone is int done)
            {
                metadata["steps_completed"] = done;
                if (done < totalSteps && interrupt.IsCancellationRequested)
                    metadata["interrupted"] = $"at step {done} of {totalSteps}";
                if (trainingResult is { } result)
                {
                    if (result.TimeLimitReached)
                        metadata["time_limit"] = $"reached at step {result.LastStep}";
                    if (result.StoppedEarly)
                        metadata["stopped_early"] = $"at step {result.LastStep}: {training!.Patience} evaluations without a better dev loss";
                    if (result.BestStep is int best)
                        metadata["best_dev_step"] = best;
                }
            }
            var table = new Table("split", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
            foreach (var (part, partNames) in parts)
            {
                if (partNames.Count == 0)
                {
                    table.Add(part, 0, "-", "-", "-", "-"); // a tiny file leaves dev or test empty under an 80/10/10 split
                    continue;
                }
                var metrics = ml.Makemore().Evaluate(fitted.Transform(ml.Data.LoadNames(partNames)));
                // Every train character was seen in training, so a smoothed or trained model gives it a finite NLL; when it
                // does not, the weights blew up (the last update of a too-large learning rate): such a model is not saved.
                if (part is "train" or "all" && !double.IsFinite(metrics.NllPerCharacter))
                    throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                        $"the trained model gives the {part} part an NLL of {metrics.NllPerCharacter}: training diverged; use a smaller --lr than {training?.LearningRate ?? parse.GetValue(lr) ?? SoftmaxRegressionEstimator.Defaults.LearningRate:G6}. {NothingSaved(zip)}"));
                table.Add(part, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
                metadata[$"{part}_nll"] = metrics.NllPerCharacter;
                metadata[$"{part}_characters"] = metrics.PredictedCharacterCount;
            }
            table.Write(report);
            // Save the model together with how it was trained and what it scored (shown by 'makemore info').
            var savedWith = metadata.ToDictionary(m => m.Key, m => Convert.ToString(m.Value, CultureInfo.InvariantCulture)!);
            // The plausibility table was computed from the training part by the first Create; reuse it instead of scoring again.
            if (PlausibilityTable.From(fitted) is { } plausibility)
                savedWith[PlausibilityTable.MetadataKey] = plausibility.ToMetadataValue();
            fitted = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(ml, languageModel, "Ids", ids.Transform(train), savedWith));
            // An interrupted run never replaces a model that was there before it: it is saved beside it.
            bool interrupted = metadata.TryGetValue("interrupted", out var where);
            string target = interrupted && zipExisted ? InterruptedPath(zip) : zip;
            ml.Makemore().Save(fitted, train.Schema, target);
            savedTo = target;
            if (target != zip)
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"makemore: interrupted {where}: saved beside {zip}, which is unchanged, as {target}{(metadata.TryGetValue("dev_nll", out var devNll) ? $" (dev NLL {devNll:F4})" : "")}"));
            if (teacherMismatch is not null)
                report.WriteLine($"note: the teacher is not of this run's data ({teacherMismatch}): no figure above is a test figure");
            report.WriteLine();
            report.WriteLine(interrupted ? $"saved: {target} (interrupted {where})" : $"saved: {target}");
            var drawn = new NameGenerator(languageModel).Generate(parse.GetValue(samples), sampling);
            if (asJson)
            {
                stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["model"] = languageModel.ToString()!,
                    ["output"] = target,
                    ["metadata"] = metadata,
                    ["samples"] = drawn,
                }, JsonNumbers));
            }
            else if (drawn.Count > 0)
            {
                report.WriteLine($"samples (seed {sampling.Seed}, {sampling.Rng.ToString().ToLowerInvariant()} rng):");
                foreach (string name in drawn)
                    report.WriteLine($"  {name}");
            }
            if (stdout.Closed)
                return MakemoreCli.OutputClosed; // the model is saved; the reader left before the report ended
            return interrupt.IsCancellationRequested ? Interrupted : 0;
        });
        return command;
    }

    // The lecture setting of the kind, changed only by the flags the user gave.
    private static MlpOptions MlpFlags(ParseResult parse, MlpKind kind, string path, TextWriter error)
    {
        var options = MlpOptions.ForLecture(kind);
        T? Given<T>(string name) => TrainCommand.Given<T>(parse, name);
        bool Has(string name) => TrainCommand.Has(parse, name);
        if (Has("--block-size"))
            options.BlockSize = Given<int>("--block-size");
        if (Has("--n-embd"))
            options.EmbeddingSize = Given<int>("--n-embd");
        if (Has("--n-hidden"))
            options.HiddenSize = Given<int>("--n-hidden");
        if (Has("--n-layer"))
            options.HiddenLayers = Given<int>("--n-layer");
        if (Has("--threads"))
            options.Threads = Given<int>("--threads");
        TrainingFlags(parse, options.Training, path, error);
        return options;
    }

    // makemore.py's setting of the kind, changed only by the flags the user gave; the block size is the longest name + 1.
    private static SequenceModelOptions SequenceFlags(ParseResult parse, SequenceModelKind kind, IReadOnlyList<string> names, string path, TextWriter error)
    {
        int longest = names.Select(n => n.Length).DefaultIfEmpty(0).Max();
        const int limit = SequenceModelOptions.MaxBlockSize - 1;
        // One stray huge line (a pasted document) would otherwise end as "BlockSize must be 1–4096", naming neither the line nor a way on.
        if (longest > limit)
        {
            int others = names.Select(n => n.Length).Where(n => n <= limit).DefaultIfEmpty(limit).Max();
            string where = DataFiles.FirstLineLongerThan(path, limit) is int line ? $"line {line} of {path}" : $"a name in {path}";
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{where} is {longest:N0} characters long, and {Given<string>(parse, "--type")} models take names of at most {limit:N0}: leave the longer ones out with --max-name-length {others} (the longest of the others), or fix the line"));
        }
        var options = new SequenceModelOptions { Kind = kind, BlockSize = longest + 1 };
        if (Has(parse, "--n-embd"))
            options.EmbeddingSize = Given<int>(parse, "--n-embd");
        if (Has(parse, "--n-embd2"))
            options.HiddenSize = Given<int>(parse, "--n-embd2");
        if (Has(parse, "--n-layer"))
            options.LayerCount = Given<int>(parse, "--n-layer");
        if (Has(parse, "--n-head"))
            options.HeadCount = Given<int>(parse, "--n-head");
        if (Has(parse, "--dropout"))
            options.Dropout = Given<double>(parse, "--dropout") is var p && p < 1 ? p : throw new UsageException($"--dropout must be below 1 (got {p}): it is the chance that a unit is zeroed");
        if (Has(parse, "--tie-weights"))
            options.TieWeights = Given<bool>(parse, "--tie-weights");
        if (Has(parse, "--threads"))
            options.Threads = Given<int>(parse, "--threads");
        if (Has(parse, "--teacher"))
            options.Teacher = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), Given<string>(parse, "--teacher")!));
        if (Has(parse, "--teacher-weight"))
            options.TeacherWeight = Given<double>(parse, "--teacher-weight") is var w && w <= 1 ? w : throw new UsageException($"--teacher-weight must be at most 1 (got {w})");
        TrainingFlags(parse, options.Training, path, error);
        return options;
    }

    private static T? Given<T>(ParseResult parse, string name) => parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
        .FirstOrDefault(o => o.Option.Name == name && !o.Implicit) is { } r ? r.GetValueOrDefault<T>() : default;

    private static bool Has(ParseResult parse, string name) =>
        parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Any(o => o.Option.Name == name && !o.Implicit);

    // Names longer than --max-name-length, when given, are left out of the whole run, with a note on stderr saying how many.
    private static IReadOnlyList<string> WithoutLongNames(ParseResult parse, IReadOnlyList<string> names, TextWriter error)
    {
        if (!Has(parse, "--max-name-length"))
            return names;
        int max = Given<int>(parse, "--max-name-length");
        var kept = names.Where(n => n.Length <= max).ToList();
        if (kept.Count == 0)
            throw new UsageException($"every name is longer than --max-name-length {max}: give a larger one");
        if (kept.Count < names.Count)
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"makemore: left out {names.Count - kept.Count:N0} of {names.Count:N0} names, longer than --max-name-length {max}"));
        return kept;
    }

    // The training loop's flags, shared by every neural type: each changes the type's default only when given. The data file
    // (path) is fingerprinted into checkpoints; warnings go to error.
    private static void TrainingFlags(ParseResult parse, TrainingOptions training, string path, TextWriter error)
    {
        training.Warnings = new Warnings(error);
        T? Given<T>(string name) => TrainCommand.Given<T>(parse, name);
        bool Has(string name) => TrainCommand.Has(parse, name);
        if (Has("--steps"))
            training.Steps = Given<int>("--steps");
        if (Has("--batch-size"))
            training.BatchSize = Given<int?>("--batch-size");
        if (Has("--lr"))
            training.LearningRate = Given<double>("--lr");
        if (Has("--seed"))
            training.Seed = Given<int>("--seed");
        training.Optimizer = Given<string>("--optimizer") switch
        {
            null => training.Optimizer,
            "sgd" => training.Optimizer as SgdOptions ?? new SgdOptions(),
            "adamw" => training.Optimizer as AdamWOptions ?? new AdamWOptions(),
            var other => throw new UsageException($"unknown --optimizer '{other}': use sgd or adamw"),
        };
        if (Given<double?>("--weight-decay") is double tooLargeDecay
            && OptionRanges.TooLargeForFloat("--weight-decay", Text("--weight-decay"), tooLargeDecay, "a finite number ≥ 0") is { } tooLarge)
            throw new UsageException(tooLarge);
        if (Given<double?>("--weight-decay") is double decay)
            training.Optimizer = double.IsFinite(decay) && decay >= 0
                ? training.Optimizer switch
                {
                    AdamWOptions adamw => adamw with { WeightDecay = decay },
                    SgdOptions sgd => sgd with { WeightDecay = decay },
                    var other => throw new UsageException($"--weight-decay does not apply to the optimizer {other}"),
                }
                : throw new UsageException($"--weight-decay must be a finite number ≥ 0 (got {decay})");
        if (Given<string>("--lr-schedule") is { } text)
            training.Schedule = ParseSchedule(text, training.LearningRate);
        else if (Has("--lr") && training.Schedule is StepSchedule step)
            training.Schedule = StepSchedule.Decay(training.LearningRate, 0.1, step.Changes.Select(c => c.AfterStep).ToArray());
        if (Has("--time-limit"))
            training.TimeLimit = Given<double?>("--time-limit") is double minutes && minutes > 0 && double.IsFinite(minutes) && minutes < 1e6
                ? TimeSpan.FromMinutes(minutes)
                : throw new UsageException($"--time-limit must be a positive number of minutes (got {Given<double?>("--time-limit")})");
        if (Has("--eval-every"))
            training.EvaluationInterval = Given<int>("--eval-every");
        if (Has("--patience"))
            training.Patience = Given<int?>("--patience") is int p && p >= 1 ? p : throw new UsageException("--patience must be at least 1");
        training.CheckpointPath = Given<string>("--checkpoint");
        if (training.CheckpointPath is not null)
            training.CheckpointInterval = training.EvaluationInterval; // its path was checked with the other outputs, before any work
        if (Given<string>("--resume") is { } resume)
            training.ResumeFrom = File.Exists(resume) ? resume : throw new UsageException($"no such checkpoint: {resume}");
        if (training.CheckpointPath is not null || training.ResumeFrom is not null)
            training.DataFingerprint = DataFiles.Fingerprint(path);

        // The value as typed, for messages (a parsed double prints as 1E+300 where the user wrote 1e300).
        string Text(string name) => parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
            .First(o => o.Option.Name == name).Tokens[0].Value;
    }

    private static LearningRateSchedule ParseSchedule(string text, double learningRate)
    {
        string[] parts = text.Split(':', 2);
        try
        {
            return parts[0] switch
            {
                "constant" when parts.Length == 1 => new ConstantSchedule(),
                "step" when parts.Length == 2 => StepSchedule.Decay(learningRate, 0.1, parts[1].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray()),
                "cosine" => parts.Length == 2 ? new CosineSchedule(int.Parse(parts[1], CultureInfo.InvariantCulture)) : new CosineSchedule(),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new UsageException($"unknown --lr-schedule '{text}': use step:N[,N…] (lr × 0.1 after each step N), cosine[:WARMUP] or constant");
        }
    }

    // The flag values of the softmax choices, so that the flags' defaults are SoftmaxRegressionEstimator.Defaults'.
    private static string Name(ContextEncoding context) => context switch
    {
        ContextEncoding.Joint => "joint",
        ContextEncoding.PerPosition => "per-position",
        _ => throw new ArgumentOutOfRangeException(nameof(context), context, "Unknown context encoding."),
    };

    private static string Name(InputEncoding encoding) => encoding switch
    {
        InputEncoding.OneHot => "one-hot",
        InputEncoding.Embedding => "embedding",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown input encoding."),
    };

    private static string NothingSaved(string zip) => File.Exists(zip) ? $"Nothing was saved: {zip} is unchanged." : "Nothing was saved.";

    // What is on disk when a second Ctrl+C ends the process at once.
    private static string Kept(string? savedTo, string zip, string? checkpoint)
    {
        string model = savedTo is not null ? $"The model was saved: {savedTo}." : NothingSaved(zip);
        return checkpoint is not null && File.Exists(checkpoint) ? $"{model} The last checkpoint is kept: resume with --resume {checkpoint}." : model;
    }

    /// <summary>Where an interrupted run saves when its <c>-o</c> existed before it: <c>m.zip</c> → <c>m.interrupted.zip</c>.</summary>
    internal static string InterruptedPath(string zip) =>
        Path.Combine(Path.GetDirectoryName(zip) ?? "", Path.GetFileNameWithoutExtension(zip) + ".interrupted" + Path.GetExtension(zip));

    // Runs an action on Dispose: unhooks the Ctrl+C handler however the command ends.
    private sealed class Unhook(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    /// <summary>Exit code of an interrupted run (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    // An infinite NLL (a model without smoothing on unseen text) is written as "Infinity" rather than failing the output.
    private static readonly System.Text.Json.JsonSerializerOptions JsonNumbers = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Time left at the pace of this process's steps. <paramref name="first"/> is its first report, made after its first
    /// step: a run resumed from a checkpoint at step k has run step − k steps in its elapsed time, not step.
    /// </summary>
    internal static double SecondsLeft(TrainingProgress first, TrainingProgress now)
    {
        int run = now.Step - Math.Max(0, first.Step - 1);
        return run <= 0 ? 0 : now.Elapsed.TotalSeconds / run * (now.Steps - now.Step);
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The training loop's warnings on stderr, one line each: the run goes on.</summary>
    private sealed class Warnings(TextWriter error) : IProgress<string>
    {
        public void Report(string value) => error.WriteLine($"makemore: warning: {value}");
    }

    /// <summary>Training progress on stderr: one line rewritten in place on a terminal, every 10 % otherwise.</summary>
    private sealed class Progress(TextWriter error, int steps) : IProgress<TrainingProgress>
    {
        private readonly bool _inPlace = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        private readonly int _every = Math.Max(1, steps / 10);
        private TrainingProgress? _first;

        public void Report(TrainingProgress value)
        {
            _first ??= value;
            if (!_inPlace && value.Step % _every != 0 && value.Step != 1 && value.DevLoss is null)
                return;
            double eta = SecondsLeft(_first, value);
            string dev = value.DevLoss is double d ? string.Create(CultureInfo.InvariantCulture, $"  dev NLL {d:F4}") : "";
            string rate = value.LearningRate is double r ? string.Create(CultureInfo.InvariantCulture, $"  lr {r:G3}") : "";
            string line = string.Create(CultureInfo.InvariantCulture,
                $"step {value.Step,6}/{value.Steps}  loss {value.Loss:F4}  data NLL {value.DataLoss:F4}{dev}{rate}  {value.Elapsed.TotalSeconds:F1}s, ETA {eta:F1}s");
            if (_inPlace)
                error.Write("\r" + line);
            else
                error.WriteLine(line);
        }

        public void Done()
        {
            if (_inPlace)
                error.WriteLine();
        }
    }
}

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
            Description = $"Seed of --split random, and of the samples shown (when not given, samples use {SamplingOptions.LectureSeed})",
            DefaultValueFactory = _ => 42,
        }.Within(0);
        var order = new Option<int>("--order") { Description = "ngram: n, 1–8 (2 = bigram)", DefaultValueFactory = _ => 2 }.Within(1, 8);
        var smoothing = new Option<string>("--smoothing") { Description = "ngram: none, add-k:K, kneser-ney or kneser-ney:D", DefaultValueFactory = _ => "add-k:1" };
        var blockSize = new Option<int>("--block-size") { Description = "softmax, mlp family: previous characters seen (softmax: 1 = bigram; mlp, bn-mlp: 3; wavenet: 8)", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.BlockSize }.Within(1, 64);
        var embedding = new Option<int>("--n-embd") { Description = "mlp family, rnn, gru, lstm, bow, transformer: width of a character embedding (mlp, bn-mlp: 10; wavenet: 24; rnn, gru, lstm: 64)", DefaultValueFactory = _ => MlpEstimator.Defaults.For(MlpEstimator.Defaults.Kind).EmbeddingSize }.Within(1, 4096);
        var embedding2 = new Option<int>("--n-embd2") { Description = "rnn, gru, lstm: width of the hidden state (makemore.py: 64)", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.HiddenSize }.Within(1, 4096);
        var layers = new Option<int>("--n-layer") { Description = "mlp, bn-mlp: hidden layers (1, the lectures; more is part 3's deeper network); wavenet: log2(block); transformer: blocks (makemore.py: 4)", DefaultValueFactory = _ => 1 }.Within(1, 64);
        var heads = new Option<int>("--n-head") { Description = "transformer: attention heads (makemore.py: 4); must divide --n-embd", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.HeadCount }.Within(1, 64);
        var tieWeights = new Option<bool>("--tie-weights") { Description = "transformer: read out through the token embeddings instead of a separate lm_head (GPT-2's weight tying; makemore.py: off)", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.TieWeights };
        var dropout = new Option<double>("--dropout") { Description = "transformer: dropout while training, on the embeddings and each residual branch (makemore.py: 0)", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.Dropout }.NonNegative();
        var teacher = new Option<string?>("--teacher") { Description = "rnn, gru, lstm, bow, transformer: distil this saved model (any type, an interpolation too; same input file): each training target mixes its next-character distribution with the character seen" };
        var teacherWeight = new Option<double>("--teacher-weight") { Description = "with --teacher: the teacher's share of each training target, in (0, 1]", DefaultValueFactory = _ => SequenceModelEstimator.Defaults.TeacherWeight }.Positive();
        var weightDecay = new Option<double?>("--weight-decay") { Description = "neural models but softmax: the optimizer's weight decay (adamw: 0.01, makemore.py's; sgd: 0)" };
        var hidden = new Option<int>("--n-hidden") { Description = "mlp family: units per hidden layer (mlp, bn-mlp: 200; wavenet: 128)", DefaultValueFactory = _ => MlpEstimator.Defaults.For(MlpEstimator.Defaults.Kind).HiddenSize }.Within(1, 65536);
        var schedule = new Option<string>("--lr-schedule")
        {
            Description = "mlp family, rnn, gru, lstm, bow, transformer: step:N (lr × 0.1 after step N; the lectures: 100000, wavenet 150000), cosine[:WARMUP] or constant (rnn, gru, lstm: constant, as makemore.py)",
        };
        var optimizer = new Option<string>("--optimizer") { Description = "mlp family, rnn, gru, lstm, bow, transformer: sgd (the lectures' default) or adamw (makemore.py's settings; rnn, gru, lstm's default)", DefaultValueFactory = _ => "sgd" };
        var evalEvery = new Option<int>("--eval-every") { Description = "mlp family, rnn, gru, lstm, bow, transformer: evaluate on the whole dev part every N steps and keep the best model", DefaultValueFactory = _ => 10_000 }.Within(1);
        var patience = new Option<int?>("--patience") { Description = "mlp family, rnn, gru, lstm, bow, transformer: stop after this many evaluations without a better dev loss" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "mlp family, rnn, gru, lstm, bow, transformer: write a resumable checkpoint here (atomically) every --eval-every steps and at the end" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "neural models: stop after this many minutes of training, keeping the best model on dev" };
        var resume = new Option<string?>("--resume") { Description = "mlp family, rnn, gru, lstm, bow, transformer: continue from a checkpoint written with --checkpoint (same options)" };
        var context = new Option<string>("--context") { Description = "softmax: joint (V^block rows of W) or per-position", DefaultValueFactory = _ => Name(SoftmaxRegressionEstimator.Defaults.Context) };
        var encoding = new Option<string>("--encoding") { Description = "softmax: one-hot (the lecture) or embedding (row lookup, E04)", DefaultValueFactory = _ => Name(SoftmaxRegressionEstimator.Defaults.Encoding) };
        var l2 = new Option<double>("--l2") { Description = "softmax: L2 strength on W", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.L2 }.NonNegative();
        var lr = new Option<double>("--lr") { Description = "softmax, mlp family, rnn, gru, lstm, bow, transformer: learning rate (softmax: 50; mlp family: 0.1; rnn, gru, lstm: 5e-4)", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.LearningRate }.Positive();
        var steps = new Option<int>("--steps") { Description = "softmax, mlp family, rnn, gru, lstm, bow, transformer: gradient steps (softmax: 300; mlp family: 200000; rnn, gru, lstm: 10000)", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.Steps }.Within(1);
        var batchSize = new Option<int?>("--batch-size") { Description = "softmax, mlp family, rnn, gru, lstm, bow, transformer: examples per step (softmax: full batch; the others: 32)" };
        var threads = new Option<int>("--threads") { Description = "softmax, mlp family, rnn, gru, lstm, bow, transformer: libtorch threads", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.Threads }.Within(1, 256);
        var samples = new Option<int>("--samples") { Description = "Samples to show after training", DefaultValueFactory = _ => 10 }.Within(0);
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var json = CommonOptions.Json();
        var topK = new Option<int>("--top-k") { Description = "Samples: keep only the k most likely characters at each step (0: all)", DefaultValueFactory = _ => 0 }.Within(0);
        var sampleOnly = new Option<bool>("--sample-only") { Description = "Do not train: load the model at -o and print samples (makemore.py's flag)" };
        var unknown = new Option<string>("--unknown")
        {
            Description = "What the saved model does with a character outside its vocabulary (learned from the whole input file): error, skip or map (to one unknown symbol)",
            DefaultValueFactory = _ => "error",
        };
        var command = new Command("train", "Train a model on the train part, print train/dev/test NLL and samples, save a zip.\n" +
            "Example: makemore train --order 3 --smoothing kneser-ney -o trigram.zip")
        {
            input, model, type, split, seed, order, smoothing, blockSize, context, encoding, l2, lr, steps, batchSize, threads, samples, quiet, json, topK, sampleOnly, unknown,
            embedding, embedding2, hidden, layers, heads, dropout, tieWeights, weightDecay, timeLimit, schedule, optimizer, evalEvery, patience, checkpoint, resume,
            teacher, teacherWeight,
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
            var names = DataFiles.Read(path);
            var protocol = DataFiles.ParseSplit(parse.GetValue(split)!);
            var parts = DataFiles.Parts(names, protocol, parse.GetValue(seed));
            if (parts[0].Names.Count == 0)
                throw new UsageException($"the train part of {path} is empty: the file is too small for --split {parse.GetValue(split)}");
            var policy = parse.GetValue(unknown) switch
            {
                "error" => UnknownCharacterPolicy.Error,
                "skip" => UnknownCharacterPolicy.Skip,
                "map" => UnknownCharacterPolicy.MapToUnknown,
                var other => throw new UsageException($"unknown --unknown '{other}': use error, skip or map"),
            };
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
            var mlpOptions = kind is MlpKind k ? MlpFlags(parse, k) : null;
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
            var sequenceOptions = sequenceKind is SequenceModelKind s ? SequenceFlags(parse, s, names) : null;
            var training = mlpOptions?.Training ?? sequenceOptions?.Training;
            int totalSteps = training?.Steps ?? parse.GetValue(steps);
            var progress = parse.GetValue(quiet) ? null : new Progress(error, totalSteps);
            if (training is not null)
            {
                training.Progress = progress;
                training.CancellationToken = interrupt.Token;
            }
            // Ctrl+C during training stops after the current step; a model with at least one step is evaluated and saved,
            // marked as interrupted. A second Ctrl+C ends the process at once (the save is atomic: no half-written file).
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (interrupt.IsCancellationRequested)
                    return;
                e.Cancel = true;
                error.WriteLine();
                error.WriteLine("makemore: interrupted; stopping after this step (Ctrl+C again to quit at once)");
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            IEstimator<LanguageModelTransformer> trainer = parse.GetValue(type) switch
            {
                "ngram" => ml.Makemore().Trainers.NGram(new NGramOptions
                {
                    Order = parse.GetValue(order),
                    Smoothing = Parse(() => Smoothing.Parse(parse.GetValue(smoothing)!)),
                }),
                "softmax" => ml.Makemore().Trainers.SoftmaxRegression(new SoftmaxRegressionOptions
                {
                    BlockSize = parse.GetValue(blockSize),
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
                    LearningRate = parse.GetValue(lr),
                    Steps = parse.GetValue(steps),
                    BatchSize = parse.GetValue(batchSize),
                    Threads = parse.GetValue(threads),
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
            finally
            {
                Console.CancelKeyPress -= onCancel;
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
            var report = asJson ? TextWriter.Null : output;
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
                ["data"] = path,
                ["data_names"] = names.Count,
                ["split"] = parse.GetValue(split)!,
            };
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
                        $"the trained model gives the {part} part an NLL of {metrics.NllPerCharacter}: training diverged; use a smaller --lr than {parse.GetValue(lr):G6}. {NothingSaved(zip)}"));
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
            ml.Makemore().Save(fitted, train.Schema, zip);
            report.WriteLine();
            report.WriteLine(metadata.TryGetValue("interrupted", out var where) ? $"saved: {zip} (interrupted {where})" : $"saved: {zip}");
            var drawn = new NameGenerator(languageModel).Generate(parse.GetValue(samples), sampling);
            if (asJson)
            {
                output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["model"] = languageModel.ToString()!,
                    ["output"] = zip,
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
            return interrupt.IsCancellationRequested ? Interrupted : 0;
        });
        return command;
    }

    // The lecture setting of the kind, changed only by the flags the user gave.
    private static MlpOptions MlpFlags(ParseResult parse, MlpKind kind)
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
        TrainingFlags(parse, options.Training);
        return options;
    }

    // makemore.py's setting of the kind, changed only by the flags the user gave; the block size is the longest name + 1.
    private static SequenceModelOptions SequenceFlags(ParseResult parse, SequenceModelKind kind, IReadOnlyList<string> names)
    {
        var options = new SequenceModelOptions { Kind = kind, BlockSize = names.Select(n => n.Length).DefaultIfEmpty(0).Max() + 1 };
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
        TrainingFlags(parse, options.Training);
        return options;
    }

    private static T? Given<T>(ParseResult parse, string name) => parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
        .FirstOrDefault(o => o.Option.Name == name && !o.Implicit) is { } r ? r.GetValueOrDefault<T>() : default;

    private static bool Has(ParseResult parse, string name) =>
        parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Any(o => o.Option.Name == name && !o.Implicit);

    // The training loop's flags, shared by every neural type: each changes the type's default only when given.
    private static void TrainingFlags(ParseResult parse, TrainingOptions training)
    {
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

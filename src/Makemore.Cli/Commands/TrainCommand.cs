using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Evaluation;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Commands;

/// <summary>
/// <c>makemore train KIND</c>: fit a model of any kind in <see cref="ModelKinds"/> on the train part, report every part,
/// save the zip, show samples. Each kind is a subcommand whose help lists its own settings with its own defaults;
/// <c>makemore train --type KIND …</c> (scripts, makemore.py's flag) runs the same subcommand.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The kind <c>makemore train</c> trains when none is named: the bigram of counts.</summary>
    private const string DefaultKind = "ngram";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var type = new Option<string>("--type")
        {
            Description = $"The kind to train, as the subcommand names it ({KindNames()}); 'makemore train KIND --help' lists its settings",
            DefaultValueFactory = _ => DefaultKind,
        };
        var command = new Command("train", "Train a model on the train part, print train/dev/test NLL and samples, save a zip.\n" +
            "Name the kind: 'makemore train KIND [options]' ('makemore train KIND --help' shows that kind's settings and defaults);\n" +
            "'makemore train [--type KIND] [options]' does the same (default kind: ngram).\n" +
            "Example: makemore train ngram --order 3 --smoothing kneser-ney -o trigram.zip")
        {
            type,
        };
        // Every other token goes on to the kind's subcommand, which knows its flags (and names a mistyped one).
        command.TreatUnmatchedTokensAsErrors = false;
        foreach (var kind in ModelKinds.All)
            command.Subcommands.Add(ForKind(kind, output, error));
        command.SetAction(parse =>
        {
            string kind = parse.GetValue(type)!;
            if (ModelKinds.Find(kind) is null)
                throw new UsageException($"unknown model type '{kind}': use {KindNames()}");
            var rest = parse.UnmatchedTokens;
            return MakemoreCli.Run(["train", kind, .. rest], output, error);
        });
        return command;
    }

    // One kind's subcommand: the flags every run has, the kind's settings, and the training loop's flags where it has one.
    private static Command ForKind(ModelKind kind, TextWriter output, TextWriter error)
    {
        var f = new TrainFlags(kind);
        var command = new Command(kind.Name, kind.Description);
        foreach (var option in f.All)
            command.Options.Add(option);
        command.SetAction(parse => Run(parse, kind, f, output, error));
        return command;
    }

    // Optimized at once, not at tier 0: tier-0 code keeps every local and temporary alive to the end of the method, so the
    // names, the views and the model it lets go before saving would stay reachable (measured: 600 MB live after the collection).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Run(ParseResult parse, ModelKind kind, TrainFlags f, TextWriter output, TextWriter error)
    {
        // One --seed for the run, as in makemore.py; without it the samples are the lecture's.
        var sampling = new SamplingOptions
        {
            Seed = parse.GetResult(f.Seed) is { Implicit: false } ? parse.GetValue(f.Seed) : SamplingOptions.LectureSeed,
            TopK = parse.GetValue(f.TopK),
        };
        if (parse.GetValue(f.SampleOnly))
        {
            var saved = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(f.Output)!));
            foreach (string name in new NameGenerator(saved).Generate(parse.GetValue(f.Samples), sampling))
                output.WriteLine(name);
            return 0;
        }
        var commandClock = Stopwatch.StartNew(); // --time-limit bounds the whole command from here
        string path = DataFiles.Resolve(parse.GetValue(f.Input));
        string zip = parse.GetValue(f.Output)!;
        // Fail on an unusable output path now, not after training. Resuming from the checkpoint the run goes on writing
        // is how --resume is meant to be used; every other output that is an input is a mistake.
        string? checkpointPath = Given<string>(parse, "--checkpoint");
        string? teacherPath = f.Teacher is null ? null : parse.GetValue(f.Teacher);
        OutputPaths.Apart(("--output", zip), ("--checkpoint", checkpointPath));
        OutputPaths.Check("--output", zip, ("-i", path), ("--teacher", teacherPath), ("--resume", Given<string>(parse, "--resume")));
        if (checkpointPath is not null)
            OutputPaths.Check("--checkpoint", checkpointPath, ("-i", path), ("--teacher", teacherPath));
        // Long phases (a large file, its examples, the final figures) say so on stderr after 2 s; -q silences them.
        var phases = parse.GetValue(f.Quiet) ? null : error;
        NameBuffer names; // one buffer, not a string per name: the parts are held through the fit
        using (LongPhase.Start(phases, $"reading {path}"))
            names = WithoutLongNames(parse, DataFiles.ReadBuffer(path), error);
        var protocol = DataFiles.ParseSplit(parse.GetValue(f.Split)!);
        int splitSeedValue = parse.GetResult(f.SplitSeed) is { Implicit: false } ? parse.GetValue(f.SplitSeed) : parse.GetValue(f.Seed);
        var parts = DataFiles.Parts(names, protocol, splitSeedValue);
        // What the model is fitted on, saved with it: eval, sample and serve then use its own split by default.
        var provenance = DataProvenance.Of(path, names.Count, protocol, splitSeedValue) with
        {
            MaxNameLength = Has(parse, "--max-name-length") ? Given<int>(parse, "--max-name-length") : null,
        };
        if (parts[0].Names.Count == 0)
            throw new UsageException($"the train part of {path} is empty: the file is too small for --split {parse.GetValue(f.Split)}");
        // A model that existed before the run is never replaced by an interrupted one (it is saved beside it).
        bool zipExisted = File.Exists(zip);
        var policy = UnknownCharacters.Parse(parse.GetValue(f.Unknown)!);
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadNames(parts[0].Names);
        using var interrupt = new CancellationTokenSource();
        // The kind's defaults, changed only by the flags the user gave.
        object options = kind.CreateOptions();
        foreach (var (setting, option) in f.Settings)
            if (parse.GetResult(option) is { Implicit: false } given)
                Parse(() =>
                {
                    setting.Set(options, Convert.ToString(given.GetValueOrDefault<object>(), CultureInfo.InvariantCulture)!);
                    return true;
                });
        CheckLongestName(kind, options, names.Lengths, path);
        kind.FitToData(options, names.Lengths.DefaultIfEmpty(0).Max());
        var training = kind.TrainingOf(options);
        if (training is not null)
            TrainingFlags(parse, training, provenance, error);
        // --time-limit bounds the command, not only the loop: training stops in time to leave a share of the limit
        // for the final figures, and the limit counts from the start (reading the file and building the examples included:
        // the loop measures it on the command's clock).
        TimeSpan? commandLimit = training?.TimeLimit;
        if (training is not null && commandLimit is TimeSpan limit)
        {
            training.TimeLimit = limit * (1 - BoundedEvaluation.FinalShare);
            training.TimeLimitClock = () => commandClock.Elapsed;
            if (!parse.GetValue(f.Quiet))
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"makemore: --time-limit {limit.TotalMinutes:G4} min: training stops by {training.TimeLimit.Value.TotalMinutes:F2} min "
                    + $"(its last dev evaluation included); a dev evaluation that would take more than {training.EvaluationTimeShare:P0} of that scores the same random sample of the dev part each time, "
                    + $"marked as such; the final train/dev/test figures get the rest, and a part that does not fit is scored on a random sample, marked as such"));
        }
        // A teacher fitted on other names would leak this run's dev and test names into its targets.
        string? teacherMismatch = null;
        var teacherModel = teacherPath is not null ? Models.Load(new MLContext(), teacherPath) : null;
        var teacherMetadata = teacherModel is null ? null : MakemoreModel.GetMetadata(teacherModel);
        if (teacherMetadata is not null)
            teacherMismatch = SameData.Require(teacherPath!, teacherMetadata, provenance, "--teacher", parse.GetValue(f.AllowOtherData!));
        if (options is IDistillationOptions distillation)
        {
            if (teacherModel is not null)
                distillation.Teacher = MakemoreModel.GetLanguageModel(teacherModel);
            if (parse.GetResult(f.TeacherWeight!) is { Implicit: false })
                distillation.TeacherWeight = parse.GetValue(f.TeacherWeight!) is var w && w <= 1 ? w : throw new UsageException($"--teacher-weight must be at most 1 (got {w})");
        }
        int totalSteps = kind.StepsOf(options) ?? 0;
        var progress = parse.GetValue(f.Quiet) ? null : new Progress(error, totalSteps);
        kind.Observe(options, progress, interrupt.Token);
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
        var trainer = ml.Makemore().Trainers.Train(kind, options);
        var stopwatch = Stopwatch.StartNew();
        // The vocabulary comes from the whole input file, as makemore.py builds it, so a character that only dev or
        // test has is still a symbol of the model; the trainer sees the train part only.
        var ids = ml.Transforms.Text.MapCharactersToIds(unknownCharacters: policy).Fit(ml.Data.LoadNames(names));
        names = null!; // from here on the parts are read (each in a buffer of its own, or this one under --split none)
        LanguageModelTransformer trained;
        try
        {
            // Kinds that train with the loop evaluate on the dev part while training and keep the best model on it.
            var dev = parts.FirstOrDefault(p => p.Part == "dev").Names is { Count: > 0 } devNames ? ids.Transform(ml.Data.LoadNames(devNames)) : null;
            // Until the first step: the ids of every name and the kind's examples (all of the fit for a count model).
            using var preparing = LongPhase.Start(phases, totalSteps == 0 ? $"fitting the {kind.Name} model" : "preparing the examples");
            if (progress is not null)
                progress.Preparing = preparing;
            trained = trainer.Fit(ids.Transform(train), dev);
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
        var trainingResult = totalSteps == 0 ? null : trained.Training;
        int? stepsDone = trainingResult?.LastStep;
        if (interrupt.IsCancellationRequested && (stepsDone ?? 0) == 0)
        {
            // Nothing trained (a count model is not interruptible: its fit is all or nothing): keep the old file.
            error.WriteLine($"makemore: interrupted before any training step completed. {NothingSaved(zip)}");
            return Interrupted;
        }
        // The trainer's transformer already holds the plausibility table of the train part: not scored a second time.
        var fitted = new TransformerChain<ITransformer>(ids, trained);

        bool asJson = parse.GetValue(f.Json);
        // A reader that goes away (| head) must not cost the finished training: the model is saved whatever happens to stdout.
        var stdout = new ClosableReport(output);
        var report = asJson ? TextWriter.Null : stdout;
        report.WriteLine($"data: {path} ({provenance.NameCount:N0} names), split: {parse.GetValue(f.Split)}");
        report.WriteLine($"model: {languageModel}");
        string counting = totalSteps == 0
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
                // The dev loss that chose the model is on a sample, not the dev part: said here, in the note and in the progress.
                if (result.DevSample is { } devSample)
                    metadata["dev_selection_sample"] = devSample.ToString();
            }
        }
        var table = new Table("split", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
        LanguageModelMetrics Score(IReadOnlyList<string> partNames) => ml.Makemore().Evaluate(fitted.Transform(ml.Data.LoadNames(partNames)));
        // Under --time-limit every part is scored within what is left of it: dev and test first, which a user reads
        // first, train last; a part that does not fit in its share is a random sample, and says so.
        var bounded = commandLimit is TimeSpan commandTime
            ? BoundedEvaluation.RunReported(phases, [.. parts.Where(p => p.Names.Count > 0).OrderBy(p => p.Part == "train" ? 1 : 0)], Score, () => commandClock.Elapsed, commandTime, splitSeedValue)
            : null;
        var sampled = new List<string>();
        foreach (var (part, partNames) in parts)
        {
            if (partNames.Count == 0)
            {
                table.Add(part, 0, "-", "-", "-", "-"); // a tiny file leaves dev or test empty under an 80/10/10 split
                continue;
            }
            var figure = bounded?[part];
            LanguageModelMetrics metrics;
            if (figure is not null)
                metrics = figure.Metrics;
            else
                using (LongPhase.Start(phases, string.Create(CultureInfo.InvariantCulture, $"scoring the {part} part ({partNames.Count:N0} names)")))
                    metrics = Score(partNames);
            if (figure is { Sampled: true })
            {
                metadata[$"{part}_sample"] = $"{metrics.ItemCount} of {partNames.Count} names";
                sampled.Add(string.Create(CultureInfo.InvariantCulture, $"{part}: {metrics.ItemCount:N0} of {partNames.Count:N0} names"));
            }
            // Every train character was seen in training, so a smoothed or trained model gives it a finite NLL; when it
            // does not, the weights blew up (the last update of a too-large learning rate): such a model is not saved.
            if (part is "train" or "all" && !double.IsFinite(metrics.NllPerCharacter))
                throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"the trained model gives the {part} part an NLL of {metrics.NllPerCharacter}: training diverged; use a smaller --lr than {LearningRateOf(kind, options)}. {NothingSaved(zip)}"));
            table.Add(figure is { Sampled: true } ? part + " (sample)" : part, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
            metadata[$"{part}_nll"] = metrics.NllPerCharacter;
            metadata[$"{part}_characters"] = metrics.PredictedCharacterCount;
        }
        table.Write(report);
        if (sampled.Count > 0)
            report.WriteLine($"note: --time-limit left too little time to score every name; random samples were scored ({string.Join("; ", sampled)})");
        if (trainingResult is { DevSample: { } selection, BestDevLoss: double bestDev, BestStep: int bestStep })
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"note: the model was chosen on its dev NLL {bestDev:F4} at step {bestStep}, on a sample of {selection.Size:N0} of {selection.Total:N0} dev {selection.Unit} (seed {selection.Seed}): --time-limit left too little time to score the whole dev part at each evaluation"));
        // Save the model together with how it was trained and what it scored (shown by 'makemore info').
        var savedWith = metadata.ToDictionary(m => m.Key, m => Convert.ToString(m.Value, CultureInfo.InvariantCulture)!);
        // The plausibility table was computed from the training part by the first Create; reuse it instead of scoring again.
        if (PlausibilityTable.From(fitted) is { } plausibility)
            savedWith[PlausibilityTable.MetadataKey] = plausibility.ToMetadataValue();
        // An interrupted run never replaces a model that was there before it: it is saved beside it.
        bool interrupted = metadata.TryGetValue("interrupted", out var where);
        string target = interrupted && zipExisted ? InterruptedPath(zip) : zip;
        // Saving holds as little as it can: the samples are drawn first, the names and views let go before the state is
        // encoded, and the model once it is; ML.NET then writes the state (about half a gigabyte of transient copies of an
        // 8-gram model's 33M-character state) beside the state alone. The chain saved is the one the fitted transformer
        // saves (LanguageModelTransformer.Create: same metadata, same bytes). Each collection is a blocking full GC that
        // also returns the freed memory to the system (tens of milliseconds on a heap of a few large arrays): left to itself,
        // the GC let each step's garbage pile up under the next one's (1.7 GB peak for an 8-gram model of 886k names, now 0.7).
        static void CollectEverything() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        string modelName = languageModel.ToString()!;
        var drawn = new NameGenerator(languageModel).Generate(parse.GetValue(f.Samples), sampling);
        var trainIds = ids.Transform(train);
        var inputSchema = train.Schema;
        var trainedOn = trainIds.Schema;
        var withTable = PlausibilityTable.AddTo(savedWith, languageModel, () => TrainingData.Read(trainIds, "Ids").Sequences).ToDictionary();
        (names, parts, train, trainIds, trained, fitted) = (null!, null!, null!, null!, null!, null!);
        CollectEverything();
        var stateBytes = ModelState.EncodeModelBytes(languageModel, withTable);
        languageModel = null!;
        CollectEverything();
        string state = ModelState.ToText(stateBytes); // the text only once the model is gone
        stateBytes = null!;
        CollectEverything();
        var toSave = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.SavedChain(ml, state, "Ids", trainedOn));
        state = null!;
        CollectEverything();
        ml.Makemore().Save(toSave, inputSchema, target);
        savedTo = target;
        if (target != zip)
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"makemore: interrupted {where}: saved beside {zip}, which is unchanged, as {target}{(metadata.TryGetValue("dev_nll", out var devNll) ? $" (dev NLL {devNll:F4})" : "")}"));
        if (teacherMismatch is not null)
            report.WriteLine($"note: the teacher is not of this run's data ({teacherMismatch}): no figure above is a test figure");
        report.WriteLine();
        report.WriteLine(interrupted ? $"saved: {target} (interrupted {where})" : $"saved: {target}");
        if (asJson)
        {
            stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["model"] = modelName,
                ["output"] = target,
                ["fit_ms"] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1), // as the text output prints it; not saved in the model (same bytes for the same run)
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
    }

    // A name longer than the kind can take (one stray huge line, a pasted document) is named with its line and a way on,
    // rather than ending as the options' "BlockSize must be 1–4096".
    private static void CheckLongestName(ModelKind kind, object options, IEnumerable<int> lengths, string path)
    {
        if (kind.LongestName(options) is not int limit)
            return;
        int longest = lengths.DefaultIfEmpty(0).Max();
        if (longest <= limit)
            return;
        int others = lengths.Where(n => n <= limit).DefaultIfEmpty(limit).Max();
        string where = DataFiles.FirstLineLongerThan(path, limit) is int line ? $"line {line} of {path}" : $"a name in {path}";
        throw new UsageException(string.Create(CultureInfo.InvariantCulture,
            $"{where} is {longest:N0} characters long, and {kind.Name} models take names of at most {limit:N0}: leave the longer ones out with --max-name-length {others} (the longest of the others), or fix the line"));
    }

    // The learning rate the run used, for the divergence message.
    private static string LearningRateOf(ModelKind kind, object options) =>
        (kind.TrainingOf(options)?.LearningRate
            ?? (kind.Settings.FirstOrDefault(s => s.Flag == "--lr")?.Get(options) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : null))
        ?.ToString("G6", CultureInfo.InvariantCulture) ?? "the one used";

    // "ngram, softmax, …, bow or transformer": every kind in the registry.
    private static string KindNames()
    {
        var names = ModelKinds.All.Select(k => k.Name).ToArray();
        return names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    private static T? Given<T>(ParseResult parse, string name) => parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
        .FirstOrDefault(o => o.Option.Name == name && !o.Implicit) is { } r ? r.GetValueOrDefault<T>() : default;

    private static bool Has(ParseResult parse, string name) =>
        parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Any(o => o.Option.Name == name && !o.Implicit);

    // Names longer than --max-name-length, when given, are left out of the whole run, with a note on stderr saying how many.
    private static NameBuffer WithoutLongNames(ParseResult parse, NameBuffer names, TextWriter error)
    {
        if (!Has(parse, "--max-name-length"))
            return names;
        int max = Given<int>(parse, "--max-name-length");
        var kept = names.UpTo(max); // as eval and sample read the file again (DataProvenance.NamesUpTo)
        if (kept.Count == 0)
            throw new UsageException($"every name is longer than --max-name-length {max}: give a larger one");
        if (kept.Count < names.Count)
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"makemore: left out {names.Count - kept.Count:N0} of {names.Count:N0} names, longer than --max-name-length {max}"));
        return kept;
    }

    // The training loop's flags, shared by every neural type: each changes the type's default only when given. The data file
    // (path) is fingerprinted into checkpoints; warnings go to error.
    private static void TrainingFlags(ParseResult parse, TrainingOptions training, DataProvenance data, TextWriter error)
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
            training.DataFingerprint = DataFiles.Fingerprint(data);

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

        /// <summary>The phase before the first step, ended by it.</summary>
        public IDisposable? Preparing { get; set; }

        public void Report(TrainingProgress value)
        {
            Preparing?.Dispose();
            Preparing = null;
            _first ??= value;
            if (!_inPlace && value.Step % _every != 0 && value.Step != 1 && value.DevLoss is null)
                return;
            double eta = SecondsLeft(_first, value);
            string dev = value.DevLoss is double d ? string.Create(CultureInfo.InvariantCulture, $"  dev NLL {d:F4}") : "";
            if (value.DevSample is { } sample)
                dev += string.Create(CultureInfo.InvariantCulture, $" (sample of {sample.Size:N0}/{sample.Total:N0} {sample.Unit})");
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

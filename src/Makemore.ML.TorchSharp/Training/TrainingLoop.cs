using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Makemore.ML.Training;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// The one training loop of the neural models: seeded batches, forward and loss (the model's), backward, the
/// optimizer's update at the scheduled learning rate, dev evaluation, best weights, early stopping, checkpoints,
/// progress and cancellation. A model supplies only a <see cref="TrainableModel"/>; under plain gradient descent its
/// own <see cref="TrainableModel.SgdStep"/>, when it has one, replaces backward and the optimizer's update.
/// </summary>
public static partial class TrainingLoop
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/> from step 1 (or the checkpoint's step + 1) to
    /// <see cref="TrainingOptions.Steps"/>. Stops early, keeping the weights, when cancelled (the history is then shorter)
    /// or after <see cref="TrainingOptions.Patience"/> evaluations without a new best on <paramref name="dev"/>.
    /// </summary>
    /// <param name="model">The module, its batch loss and its decayed parameters; the module is trained in place.</param>
    /// <param name="train">The training examples; batches are drawn from them with a generator seeded by <see cref="TrainingOptions.Seed"/>.</param>
    /// <param name="options">Steps, batch size, optimizer, schedule, evaluation, checkpoints, progress, cancellation.</param>
    /// <param name="dev">
    /// Examples evaluated every <see cref="TrainingOptions.EvaluationInterval"/> steps, or null: whole, or under a
    /// <see cref="TrainingOptions.TimeLimit"/> that leaves too little time for them, the same seeded random sample of them
    /// at every evaluation (<see cref="TrainingOptions.EvaluationTimeShare"/>, <see cref="TrainingResult.DevSample"/>).
    /// </param>
    /// <returns>The history and what stopped the run; the module holds the last weights, or the best ones on dev.</returns>
    /// <exception cref="TrainingDivergedException">A step's loss, or the final weights, are not finite.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is damaged or does not fit the module.</exception>
    /// <exception cref="ArgumentException">
    /// The checkpoint was written under other options or on other data (<see cref="TrainingOptions.DataFingerprint"/>), or is at a
    /// step beyond <see cref="TrainingOptions.Steps"/>.
    /// </exception>
    public static TrainingResult Run(TrainableModel model, ExampleSet train, TrainingOptions options, ExampleSet? dev = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TorchRuntime.EnsureLoaded();

        var module = model.Module;
        var parameters = module.parameters().ToArray();
        var decayedHandles = model.DecayedParameters.Select(p => p.Handle).ToHashSet();
        using var optimizer = options.Optimizer.Create(
            parameters.Where(p => decayedHandles.Contains(p.Handle)).ToArray(),
            parameters.Where(p => !decayedHandles.Contains(p.Handle)).ToArray(),
            options.LearningRate);
        using var generator = new Generator((ulong)options.Seed);
        var run = new RunState(options.Fingerprint(model.TrajectoryKey), options.DataFingerprint, model.VocabularySize);
        using var evaluation = dev is null ? null : new DevEvaluation(dev, options);
        try
        {
            if (options.ResumeFrom is { } resumeFrom)
            {
                run.Resume(resumeFrom, options.Steps, module, optimizer, generator);
                if (run.DevScored is { } rows)
                    evaluation?.ScoreAsBefore(rows);
            }
            if (options.Schedule is CosineSchedule { WarmupSteps: var warmup } && warmup > options.Steps)
                options.Warnings?.Report(string.Create(CultureInfo.InvariantCulture,
                    $"the cosine schedule's warm-up ({warmup} steps) is longer than the run ({options.Steps} steps): the learning rate only rises, to {100.0 * options.Steps / warmup:G3} % of the base rate at the last step"));
            return Train(model, train, evaluation, options, parameters, optimizer, generator, run);
        }
        finally
        {
            run.Dispose();
        }
    }

    // The loop runs once per training, so tiered JIT would keep it in tier-0 code until on-stack replacement, ~1,000
    // steps in: for the MLP family's ~0.1 ms steps that is a third of a short run's time. Optimised from the first step instead.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static TrainingResult Train(TrainableModel model, ExampleSet train, DevEvaluation? dev, TrainingOptions options,
        Parameter[] parameters, OptimizerHelper optimizer, Generator generator, RunState run)
    {
        var module = model.Module;
        int firstStep = run.Step + 1;
        var history = new List<TrainingProgress>(Math.Max(0, options.Steps - run.Step));
        var stopwatch = Stopwatch.StartNew();
        long n = train.Count;
        int? batchSize = options.BatchSize is int b && b < n ? b : null;
        bool stoppedEarly = false, timeLimitReached = false;
        var lastEvaluation = TimeSpan.Zero; // how long the last dev evaluation took
        var clock = options.TimeLimitClock ?? (() => stopwatch.Elapsed); // what the time limit is measured on
        double learningRate = options.LearningRate;
        var exactStep = options.Optimizer.IsPlainGradientDescent ? model.SgdStep : null;
        bool checkpointFailed = false;
        // A checkpoint that cannot be written (a full disk, a folder gone) must not end the training it is there to keep:
        // the run goes on, says so once, and tries again at the next checkpoint.
        void WriteCheckpoint(string path)
        {
            if (run.Save(path, module, optimizer, generator, options.Seed, dev?.Scored) is { } failure && !checkpointFailed)
            {
                checkpointFailed = true;
                options.Warnings?.Report($"could not write the checkpoint {path} at step {run.Step} ({OneLine(failure.Message)}); "
                    + "training goes on, later checkpoints are still tried, and this warning is not repeated");
            }
        }
        module.train();
        for (int step = firstStep; step <= options.Steps && !options.CancellationToken.IsCancellationRequested; step++)
        {
            learningRate = options.Schedule.At(step, options.Steps, options.LearningRate);
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate = learningRate;
            float lossValue, dataLossValue;
            using (NewDisposeScope())
            {
                // (b, ...), (b) or (b, t), (b); the whole set when the batch would hold it all
                var (x, y, w) = batchSize is int size ? train.Select(randint(n, [size], generator: generator)) : train.All();
                // With the model's own update (equal to backward and p −= lr·grad) the weights have moved already when
                // the loss is read; it is the loss at the weights before the update either way.
                var terms = exactStep is not null ? exactStep(x, y, w, learningRate) : model.Loss(x, y, w);
                lossValue = terms.Loss.item<float>();
                if (!float.IsFinite(lossValue))
                    throw new TrainingDivergedException(step, options.Steps, lossValue, learningRate);
                if (exactStep is null)
                {
                    optimizer.zero_grad();
                    terms.Loss.backward();
                    options.Optimizer.Update(optimizer, parameters, learningRate);
                }
                dataLossValue = ReferenceEquals(terms.DataLoss, terms.Loss) ? lossValue : terms.DataLoss.item<float>();
            }
            run.Step = step;

            double? devLoss = null;
            // A time limit ends the run like its last step: evaluated, so the best model on dev includes it. That last
            // evaluation is inside the limit: the run stops when the time left is less than the last evaluation took.
            timeLimitReached = options.TimeLimit is TimeSpan limit && clock() + lastEvaluation >= limit && step < options.Steps;
            if (dev is not null && (step % options.EvaluationInterval == 0 || step == options.Steps || timeLimitReached))
            {
                var started = clock();
                devLoss = dev.Evaluate(model, clock);
                lastEvaluation = clock() - started;
                run.Observe(devLoss.Value, step, module, options.RestoreBest);
            }
            var progress = new TrainingProgress(step, options.Steps, lossValue, dataLossValue, stopwatch.Elapsed, learningRate, devLoss,
                devLoss is null ? null : dev!.Sample);
            history.Add(progress);
            options.Progress?.Report(progress);

            if (options.CheckpointPath is { } path && options.CheckpointInterval > 0 && step % options.CheckpointInterval == 0 && step != options.Steps)
                WriteCheckpoint(path);
            if (devLoss is not null && options.Patience is int patience && run.EvaluationsWithoutImprovement >= patience)
            {
                stoppedEarly = true;
                break;
            }
            if (timeLimitReached)
                break;
        }
        // The last update can overflow too: its loss would be the next step's, so check the weights themselves.
        using (no_grad())
        {
            if (history.Count > 0 && parameters.Any(p => !p.isfinite().all().item<bool>()))
                throw new TrainingDivergedException(run.Step, options.Steps, double.NaN, learningRate);
        }
        if (options.CheckpointPath is { } finalPath && history.Count > 0)
            WriteCheckpoint(finalPath);
        bool restored = options.RestoreBest && run.RestoreBest(module);
        return new TrainingResult(history, firstStep, run.BestDevLoss, run.BestStep, stoppedEarly,
            options.CancellationToken.IsCancellationRequested && !stoppedEarly && run.Step < options.Steps, restored, stopwatch.Elapsed, timeLimitReached,
            dev?.Sample);
    }

    /// <summary>Mean NLL per predicted character over the whole of <paramref name="dev"/>, in eval mode without gradients.</summary>
    /// <remarks>
    /// Chunks are weighted by their predicted characters (targets ≥ 0, times the example weights), so the result does
    /// not depend on the chunk size, provided the model's data loss is the weighted mean <see cref="Loss.Nll"/> computes.
    /// </remarks>
    internal static double Evaluate(TrainableModel model, ExampleSet dev, int chunkSize)
    {
        model.Module.eval();
        try
        {
            using var _ = no_grad();
            double sum = 0, weight = 0;
            foreach (var chunk in dev.Chunks(chunkSize))
            {
                using var scope = NewDisposeScope();
                var (x, y, w) = dev.Take(chunk); // (c, ...), (c) or (c, t), (c)
                var predicted = y.ge(0).to(float64); // (c) or (c, t)
                if (predicted.dim() == 2)
                    predicted = predicted.sum(1); // (c)
                double chunkWeight = (w is null ? predicted.sum() : (predicted * w.to(float64)).sum()).item<double>();
                sum += model.Loss(x, y, w).DataLoss.item<float>() * chunkWeight;
                weight += chunkWeight;
            }
            return sum / weight;
        }
        finally
        {
            model.Module.train();
        }
    }

    // A long hex digest in a data fingerprint, shortened in messages.
    [System.Text.RegularExpressions.GeneratedRegex("[0-9a-fA-F]{16,}")]
    private static partial System.Text.RegularExpressions.Regex LongHex();

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>What a checkpoint carries besides the module and optimizer: the step and the best-on-dev bookkeeping.</summary>
    /// <param name="fingerprint">The options' <see cref="TrainingOptions.Fingerprint"/>.</param>
    /// <param name="dataFingerprint">The options' <see cref="TrainingOptions.DataFingerprint"/>.</param>
    /// <param name="vocabularySize">The model's <see cref="TrainableModel.VocabularySize"/>.</param>
    private sealed class RunState(string fingerprint, string dataFingerprint, int? vocabularySize) : IDisposable
    {
        private Dictionary<string, Tensor>? _best; // detached copies of the module's state at the best evaluation

        public int Step { get; set; }
        public double? BestDevLoss { get; private set; }

        /// <summary>The dev rows the resumed checkpoint's evaluations scored, or null.</summary>
        public DevRows? DevScored { get; private set; }
        public int? BestStep { get; private set; }
        public int EvaluationsWithoutImprovement { get; private set; }

        public void Observe(double devLoss, int step, nn.Module module, bool keepBest)
        {
            if (BestDevLoss is double best && !(devLoss < best))
            {
                EvaluationsWithoutImprovement++;
                return;
            }
            (BestDevLoss, BestStep, EvaluationsWithoutImprovement) = (devLoss, step, 0);
            if (!keepBest)
                return;
            using var _ = no_grad();
            _best ??= module.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone().DetachFromDisposeScope());
            foreach (var (key, value) in module.state_dict())
                _best[key].copy_(value);
        }

        /// <summary>Copies the best state into the module; false if there is none or the module already holds it.</summary>
        public bool RestoreBest(nn.Module module)
        {
            if (_best is null || BestStep == Step)
                return false;
            using var _ = no_grad();
            foreach (var (key, value) in module.state_dict())
                value.copy_(_best[key]);
            return true;
        }

        /// <summary>Writes the checkpoint; returns why it could not be written (the file system's error), or null.</summary>
        public Exception? Save(string path, nn.Module module, OptimizerHelper optimizer, Generator generator, long seed, DevRows? devScored)
        {
            byte[] moduleState = Serialize(writer => module.save(writer));
            byte[] optimizerState = Serialize(optimizer.save_state_dict);
            byte[] generatorState = StateOf(generator);
            byte[]? best = _best is null ? null : Serialize(writer =>
            {
                writer.Write(_best.Count);
                foreach (var (key, value) in _best)
                {
                    writer.Write(key);
                    value.Save(writer);
                }
            });
            byte[]? networkGeneratorState = module is Models.IStochasticNetwork stochastic ? StateOf(stochastic.TrainingGenerator) : null;
            var checkpoint = new Checkpoint(fingerprint, Step, seed, BestDevLoss, BestStep, EvaluationsWithoutImprovement, moduleState, optimizerState,
                generatorState, best, networkGeneratorState, dataFingerprint, vocabularySize, devScored ?? DevScored);
            try
            {
                checkpoint.Write(path);
                return null;
            }
            // IOException covers a full disk and a missing folder; an ArgumentException is the path having become a folder.
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return e;
            }
        }

        public void Resume(string path, int steps, nn.Module module, OptimizerHelper optimizer, Generator generator)
        {
            var checkpoint = Checkpoint.Read(path);
            if (checkpoint.DataFingerprint != dataFingerprint)
                throw new ArgumentException($"The checkpoint {path} was written on other data ({Short(checkpoint.DataFingerprint)}) than this run's ({Short(dataFingerprint)}); "
                    + "resume on the same data.", nameof(TrainingOptions.ResumeFrom));
            if (checkpoint.OptionsFingerprint != fingerprint)
                throw new ArgumentException($"The checkpoint {path} was written under other training options (optimizer, learning rate, schedule, "
                    + "batch size, seed, dropout or distillation teacher); resume it with the options it was written with.", nameof(TrainingOptions.ResumeFrom));
            // Steps are not part of the fingerprint, so a run can be resumed to go further; one that ends before the checkpoint
            // would train nothing and hand back the checkpoint's weights as if they were its own.
            if (checkpoint.Step > steps)
                throw new ArgumentException($"The checkpoint {path} is at step {checkpoint.Step}, beyond this run's last step, {steps}: "
                    + $"resuming would train nothing and keep the step-{checkpoint.Step} model; give at least {checkpoint.Step} steps.", nameof(TrainingOptions.Steps));
            if (checkpoint.VocabularySize is int saved && vocabularySize is int symbols && saved != symbols)
                throw new InvalidDataException($"The checkpoint {path} holds a model of {saved} symbols, this run's has {symbols}: resume on the same data, "
                    + "with the same unknown-character policy, as the run that wrote it.");
            try
            {
                using var noGrad = no_grad();
                using (var reader = Reader(checkpoint.ModuleState))
                    module.load(reader, strict: true);
                using (var reader = Reader(checkpoint.OptimizerState))
                    optimizer.load_state_dict(reader);
                if (checkpoint.BestState is { } bestState)
                {
                    using var reader = Reader(bestState);
                    var current = module.state_dict();
                    int count = reader.ReadInt32();
                    if (count != current.Count)
                        throw new ArgumentException($"the best state has {count} tensors, the module {current.Count}");
                    _best = current.ToDictionary(e => e.Key, e => e.Value.detach().clone().DetachFromDisposeScope());
                    for (int i = 0; i < count; i++)
                    {
                        string key = reader.ReadString();
                        if (!_best.TryGetValue(key, out var target))
                            throw new ArgumentException($"the module has no tensor named '{key}'");
                        target.Load(reader);
                    }
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or ExternalException)
            {
                // TorchSharp's own words ("Mismatched tensor shape while loading. Make sure that…") name neither tensor nor cause.
                string why = e.Message.StartsWith("Mismatched tensor shape", StringComparison.Ordinal)
                    ? "its tensors have other shapes (another vocabulary, block size or layer sizes than the run that wrote it)"
                    : OneLine(e.Message);
                throw new InvalidDataException($"The checkpoint {path} does not fit this model: {why}", e);
            }
            Restore(generator, checkpoint.GeneratorState);
            if (module is Models.IStochasticNetwork stochastic && checkpoint.NetworkGeneratorState is { } networkState)
                Restore(stochastic.TrainingGenerator, networkState);
            Step = checkpoint.Step;
            BestDevLoss = checkpoint.BestDevLoss;
            BestStep = checkpoint.BestStep;
            EvaluationsWithoutImprovement = checkpoint.EvaluationsWithoutImprovement;
            DevScored = checkpoint.DevScored;
        }

        // A fingerprint as shown in a message: each long hex digest cut to its first 8 digits, so that two fit on one line.
        private static string Short(string fingerprint) =>
            fingerprint.Length == 0 ? "none given" : LongHex().Replace(fingerprint, m => m.Value[..8] + "…");

        public void Dispose()
        {
            foreach (var value in _best?.Values ?? Enumerable.Empty<Tensor>())
                value.Dispose();
        }

        // A generator's state as bytes (Generator.get_state), and back.
        private static byte[] StateOf(Generator generator)
        {
            using var state = generator.get_state();
            return state.data<byte>().ToArray();
        }

        private static void Restore(Generator generator, byte[] state)
        {
            using var bytes = tensor(state);
            generator.set_state(bytes);
        }

        private static byte[] Serialize(Action<BinaryWriter> write)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                write(writer);
            return stream.ToArray();
        }

        private static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes, writable: false), Encoding.UTF8);
    }
}

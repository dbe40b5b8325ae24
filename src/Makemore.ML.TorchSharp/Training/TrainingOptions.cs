using Makemore.ML.Training;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// How <see cref="TrainingLoop"/> trains any neural model: steps, batches, optimizer, schedule, dev evaluation, early
/// stopping, checkpoints, progress and cancellation. Defaults are makemore.py's (<see cref="Defaults"/>).
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>The last step of the run (1-based); a resumed run continues up to it. Default <see cref="Defaults.Steps"/>.</summary>
    public int Steps { get; set; } = Defaults.Steps;

    /// <summary>Examples drawn (with replacement, seeded) per step; null, or at least the examples' count, for the full batch. Default 32.</summary>
    public int? BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>The base learning rate; the <see cref="Schedule"/> scales or replaces it step by step. Default 5e-4 (makemore.py).</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>The update rule: <see cref="SgdOptions"/> or <see cref="AdamWOptions"/>. Default AdamW with makemore.py's settings.</summary>
    public OptimizerOptions Optimizer { get; set; } = new AdamWOptions();

    /// <summary>The learning rate at each step. Default constant.</summary>
    public LearningRateSchedule Schedule { get; set; } = new ConstantSchedule();

    /// <summary>Seed of the generator that draws mini-batches. Default 3407 (makemore.py).</summary>
    public long Seed { get; set; } = Defaults.Seed;

    /// <summary>Evaluate on the whole dev set every this many steps (and at the last step), when a dev set is given. Default 500.</summary>
    public int EvaluationInterval { get; set; } = Defaults.EvaluationInterval;

    /// <summary>
    /// Dev positions per forward pass during evaluation: a window model's rows, or sequences × their T positions (at
    /// least one sequence). Bounds memory, not the result. Default 4096.
    /// </summary>
    public int EvaluationChunkSize { get; set; } = Defaults.EvaluationChunkSize;

    /// <summary>At the end, put back the parameters and buffers that gave the lowest dev loss. Default true.</summary>
    public bool RestoreBest { get; set; } = Defaults.RestoreBest;

    /// <summary>Stop after this many dev evaluations in a row without a new best; null never stops early. Default null.</summary>
    public int? Patience { get; set; } = Defaults.Patience;

    /// <summary>Write a <see cref="Checkpoint"/> here (atomically) every <see cref="CheckpointInterval"/> steps and at the end; null writes none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Steps between checkpoints; 0 writes one at the end only. Default 0.</summary>
    public int CheckpointInterval { get; set; } = Defaults.CheckpointInterval;

    /// <summary>Continue the run saved in this checkpoint, at its step + 1, with its optimizer, generator and best-so-far state.</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>
    /// Identifies the training data, e.g. its file name and SHA-256 (<c>names.txt sha256:1a2b…</c>); written into each checkpoint,
    /// and a checkpoint resumes only under the same one, so that a run is never continued on other data. Default empty.
    /// </summary>
    public string DataFingerprint { get; set; } = "";

    /// <summary>Receives every step's losses and learning rate, and the dev loss at evaluation steps.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Receives a one-line warning, lowercase-initial (to follow a prefix such as "warning: "), when the run goes on despite a
    /// problem: a checkpoint that cannot be written (reported once per run; training and the later checkpoints go on), or a
    /// cosine warm-up longer than the run. Null: warnings are dropped.
    /// </summary>
    public IProgress<string>? Warnings { get; set; }

    /// <summary>Stops after the current step when cancelled; the weights trained so far are kept and the history is shorter.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Stop after this much training time (makemore.py's runs are judged in minutes; measured on <see cref="TimeLimitClock"/>
    /// when set); the last step is evaluated on dev and
    /// the best model on dev is kept. That evaluation is within the limit: the run stops once the time left is less than
    /// the previous dev evaluation took. Every dev evaluation is bounded too (<see cref="EvaluationTimeShare"/>). Null: no limit.
    /// </summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>
    /// What <see cref="TimeLimit"/> is measured on: the time so far of a larger task that includes the run, such as a
    /// command whose limit counts from before it reads the data and builds the examples. Null: the run's own time, from
    /// its first step.
    /// </summary>
    public Func<TimeSpan>? TimeLimitClock { get; set; }

    /// <summary>
    /// Under a <see cref="TimeLimit"/>, the most one dev evaluation may take, as a share of the limit. The first evaluation
    /// measures how fast dev rows are scored; when the whole dev set would take longer than this share, every evaluation
    /// of the run scores the same random sample of it (seeded by <see cref="Seed"/>, at least <see cref="Defaults.MinimumDevSample"/>
    /// rows) sized to fit, and <see cref="TrainingResult.DevSample"/> says so. No effect without a time limit. Default 0.02.
    /// </summary>
    public double EvaluationTimeShare { get; set; } = Defaults.EvaluationTimeShare;

    /// <summary>The training loop's defaults, in one place: options, catalogs and the CLI read them from here.</summary>
    public static class Defaults
    {
        /// <summary>Last step of a run: 10,000 (makemore.py runs until stopped).</summary>
        public const int Steps = 10_000;

        /// <summary>Examples per step: 32 (makemore.py's <c>--batch-size</c>).</summary>
        public const int BatchSize = 32;

        /// <summary>Base learning rate: 5e-4 (makemore.py's <c>--learning-rate</c>).</summary>
        public const double LearningRate = 5e-4;

        /// <summary>Mini-batch seed: 3407 (makemore.py's <c>--seed</c>).</summary>
        public const long Seed = 3407;

        /// <summary>SGD momentum: 0, the lectures' plain <c>p -= lr·grad</c>.</summary>
        public const double Momentum = 0;

        /// <summary>AdamW's first-moment decay: 0.9 (makemore.py).</summary>
        public const double Beta1 = 0.9;

        /// <summary>AdamW's second-moment decay: 0.99 (makemore.py).</summary>
        public const double Beta2 = 0.99;

        /// <summary>AdamW's denominator term: 1e-8 (makemore.py).</summary>
        public const double Epsilon = 1e-8;

        /// <summary>AdamW's decoupled weight decay: 0.01 (makemore.py's <c>--weight-decay</c>).</summary>
        public const double AdamWWeightDecay = 0.01;

        /// <summary>SGD's weight decay: 0 (the lectures put their L2 term in the loss instead).</summary>
        public const double SgdWeightDecay = 0;

        /// <summary>Steps of linear warm-up in <see cref="CosineSchedule"/>: 100.</summary>
        public const int WarmupSteps = 100;

        /// <summary>Where <see cref="CosineSchedule"/> ends, as a fraction of the base learning rate: 0.1 (nanoGPT's min_lr = lr/10).</summary>
        public const double FinalLearningRateFactor = 0.1;

        /// <summary>Steps between dev evaluations: 500 (makemore.py).</summary>
        public const int EvaluationInterval = 500;

        /// <summary>Dev positions per forward pass: 4096 (4,096 windows, or 4,096 / T sequences of T positions).</summary>
        public const int EvaluationChunkSize = 4096;

        /// <summary>
        /// The most one dev evaluation of a time-limited run may take: 2 % of the limit, so that even 25 evaluations
        /// (a run that steps 10× faster than it evaluates its whole dev part) leave half of the limit to training.
        /// </summary>
        public const double EvaluationTimeShare = 0.02;

        /// <summary>The fewest dev rows (names, for a sequence model) a time-limited dev evaluation scores, however little time it has: 256.</summary>
        public const int MinimumDevSample = 256;

        /// <summary>Restore the best weights on dev at the end: true (makemore.py keeps the best model).</summary>
        public const bool RestoreBest = true;

        /// <summary>Evaluations without improvement before stopping: none (never stops early).</summary>
        public static int? Patience => null;

        /// <summary>Steps between checkpoints: 0, at the end only.</summary>
        public const int CheckpointInterval = 0;
    }

    /// <summary>A copy for an estimator to hold (optimizer and schedule are immutable records; progress, warnings and cancellation are the caller's to share).</summary>
    internal TrainingOptions Copy() => (TrainingOptions)MemberwiseClone();

    /// <summary>
    /// A digest of the options that decide the trajectory of a run, so a checkpoint is resumed only under the same ones;
    /// <paramref name="model"/> adds what the model's own trainer decides (<see cref="TrainableModel.TrajectoryKey"/>).
    /// </summary>
    internal string Fingerprint(string model = "")
    {
        string description = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"optimizer={Optimizer.Describe()};lr={LearningRate:R};schedule={Schedule.Describe(Steps)};batch={BatchSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "full"};seed={Seed}");
        if (model.Length > 0)
            description += ";model=" + model; // only when set: checkpoints written before the key existed still resume
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(description)));
    }

    internal void Validate()
    {
        if (Steps < 0)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be ≥ 0.");
        if (BatchSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be ≥ 1 (or null for the full batch).");
        // The optimizers hold the rate as a float: a larger double fails deep in TorchSharp without saying which value.
        if (!(LearningRate > 0) || LearningRate > float.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"LearningRate must be a finite number > 0 that fits a float (at most {float.MaxValue:G2})."));
        ArgumentNullException.ThrowIfNull(Optimizer);
        ArgumentNullException.ThrowIfNull(Schedule);
        ArgumentNullException.ThrowIfNull(DataFingerprint);
        Optimizer.Validate();
        Schedule.Validate();
        if (EvaluationInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(EvaluationInterval), EvaluationInterval, "EvaluationInterval must be ≥ 1.");
        if (EvaluationChunkSize < 1)
            throw new ArgumentOutOfRangeException(nameof(EvaluationChunkSize), EvaluationChunkSize, "EvaluationChunkSize must be ≥ 1.");
        if (!(EvaluationTimeShare > 0 && EvaluationTimeShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(EvaluationTimeShare), EvaluationTimeShare, "EvaluationTimeShare must be in (0, 1].");
        if (Patience is < 1)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "Patience must be ≥ 1 (or null never to stop early).");
        if (CheckpointInterval < 0)
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval, "CheckpointInterval must be ≥ 0 (0: at the end only).");
        if (Seed < 0)
            throw new ArgumentOutOfRangeException(nameof(Seed), Seed, "Seed must be ≥ 0.");
    }
}

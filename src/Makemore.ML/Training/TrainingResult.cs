namespace Makemore.ML.Training;

/// <summary>
/// What one fit did: returned with the model by every trainer (<see cref="Inference.LanguageModelTransformer.Training"/>),
/// so an estimator keeps nothing from one <c>Fit</c> to the next. Counting trainers have no steps; the neural ones fill
/// the history, the dev evaluations and what stopped the run.
/// </summary>
public sealed class TrainingResult
{
    internal TrainingResult(IReadOnlyList<TrainingProgress> history, int firstStep, double? bestDevLoss, int? bestStep,
        bool stoppedEarly, bool cancelled, bool restoredBest, TimeSpan duration, bool timeLimitReached = false, DevSample? devSample = null)
    {
        DevSample = devSample;
        TimeLimitReached = timeLimitReached;
        History = history;
        FirstStep = firstStep;
        BestDevLoss = bestDevLoss;
        BestStep = bestStep;
        StoppedEarly = stoppedEarly;
        Cancelled = cancelled;
        RestoredBest = restoredBest;
        Duration = duration;
    }

    /// <summary>A fit without steps (counting, or weights fitted in closed form) that took <paramref name="duration"/>.</summary>
    internal static TrainingResult WithoutSteps(TimeSpan duration) =>
        new([], 1, null, null, stoppedEarly: false, cancelled: false, restoredBest: false, duration);

    /// <summary>One entry per step of this run, for plots; dev losses at evaluation steps. Empty for a counting fit.</summary>
    public IReadOnlyList<TrainingProgress> History { get; }

    /// <summary>The first step of this run: 1, or the checkpoint's step + 1 when resumed.</summary>
    public int FirstStep { get; }

    /// <summary>The last step done (FirstStep − 1 if none was).</summary>
    public int LastStep => FirstStep - 1 + History.Count;

    /// <summary>The lowest dev loss seen (across resumptions), or null without a dev set.</summary>
    public double? BestDevLoss { get; }

    /// <summary>
    /// The sample of the dev set that every dev evaluation of this run scored (<see cref="BestDevLoss"/> is on it), when a
    /// time limit left too little time to score all of it; null: the whole dev set, or no dev set.
    /// </summary>
    public DevSample? DevSample { get; }

    /// <summary>The step that gave <see cref="BestDevLoss"/>.</summary>
    public int? BestStep { get; }

    /// <summary>True when the training options' patience ran out: that many evaluations passed without a new best.</summary>
    public bool StoppedEarly { get; }

    /// <summary>True when the run stopped at the training options' time limit (the model is the best on dev so far).</summary>
    public bool TimeLimitReached { get; }

    /// <summary>True when the run stopped because it was cancelled.</summary>
    public bool Cancelled { get; }

    /// <summary>True when the model holds the best weights on dev rather than the last ones.</summary>
    public bool RestoredBest { get; }

    /// <summary>Wall time of the fitting itself (steps, or counting and smoothing), reading the data view excluded.</summary>
    public TimeSpan Duration { get; }
}

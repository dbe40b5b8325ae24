namespace Makemore.ML.TorchSharp.Training;

/// <summary>What a <see cref="TrainingLoop"/> run did.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(IReadOnlyList<TrainingProgress> history, int firstStep, double? bestDevLoss, int? bestStep,
        bool stoppedEarly, bool cancelled, bool restoredBest, bool timeLimitReached = false)
    {
        TimeLimitReached = timeLimitReached;
        History = history;
        FirstStep = firstStep;
        BestDevLoss = bestDevLoss;
        BestStep = bestStep;
        StoppedEarly = stoppedEarly;
        Cancelled = cancelled;
        RestoredBest = restoredBest;
    }

    /// <summary>One entry per step of this run, for plots; dev losses at evaluation steps.</summary>
    public IReadOnlyList<TrainingProgress> History { get; }

    /// <summary>The first step of this run: 1, or the checkpoint's step + 1 when resumed.</summary>
    public int FirstStep { get; }

    /// <summary>The last step done (FirstStep − 1 if none was).</summary>
    public int LastStep => FirstStep - 1 + History.Count;

    /// <summary>The lowest dev loss seen (across resumptions), or null without a dev set.</summary>
    public double? BestDevLoss { get; }

    /// <summary>The step that gave <see cref="BestDevLoss"/>.</summary>
    public int? BestStep { get; }

    /// <summary>True when <see cref="TrainingOptions.Patience"/> evaluations passed without a new best.</summary>
    public bool StoppedEarly { get; }

    /// <summary>True when the run stopped at <see cref="TrainingOptions.TimeLimit"/> (the model is the best on dev so far).</summary>
    public bool TimeLimitReached { get; }

    /// <summary>True when the run stopped because it was cancelled.</summary>
    public bool Cancelled { get; }

    /// <summary>True when the module holds the best weights on dev rather than the last ones.</summary>
    public bool RestoredBest { get; }
}

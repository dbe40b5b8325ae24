using System.Globalization;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>The learning rate of each step: <see cref="ConstantSchedule"/>, <see cref="StepSchedule"/> or <see cref="CosineSchedule"/>.</summary>
public abstract record LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>The learning rate of <paramref name="step"/>.</summary>
    /// <param name="step">1-based step.</param>
    /// <param name="steps">The run's last step.</param>
    /// <param name="learningRate">The options' base learning rate.</param>
    public abstract double At(int step, int steps, double learningRate);

    /// <summary>Every setting, invariantly formatted, for the checkpoint fingerprint.</summary>
    internal abstract string Describe(int steps);

    internal virtual void Validate()
    {
    }
}

/// <summary>The base learning rate at every step.</summary>
public sealed record ConstantSchedule : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(int step, int steps, double learningRate) => learningRate;

    internal override string Describe(int steps) => "constant";
}

/// <summary>
/// Piecewise constant: the base learning rate until the first change, then each change's rate from the step after
/// its <c>AfterStep</c> on. The lectures' <c>lr = 0.1 if i &lt; 100000 else 0.01</c> (0-based i) is
/// <c>new StepSchedule((100_000, 0.01))</c> with base 0.1: steps 1–100,000 use 0.1, step 100,001 on uses 0.01.
/// </summary>
public sealed record StepSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="changes">(last step at the previous rate, new rate), in increasing step order.</param>
    public StepSchedule(params (int AfterStep, double LearningRate)[] changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        Changes = changes.ToArray();
    }

    /// <summary>Multiplies the base rate by <paramref name="factor"/> after each of <paramref name="afterSteps"/>.</summary>
    /// <param name="learningRate">The base learning rate (the options' <see cref="TrainingOptions.LearningRate"/>).</param>
    /// <param name="factor">Multiplier at each change, e.g. 0.1.</param>
    /// <param name="afterSteps">Last steps before each change, increasing.</param>
    public static StepSchedule Decay(double learningRate, double factor, params int[] afterSteps) =>
        new(afterSteps.Select((step, i) => (step, learningRate * Math.Pow(factor, i + 1))).ToArray());

    /// <summary>(last step at the previous rate, new rate), in increasing step order.</summary>
    public IReadOnlyList<(int AfterStep, double LearningRate)> Changes { get; }

    /// <inheritdoc/>
    public override double At(int step, int steps, double learningRate)
    {
        foreach (var (afterStep, rate) in Changes)
        {
            if (step <= afterStep)
                break;
            learningRate = rate;
        }
        return learningRate;
    }

    internal override string Describe(int steps) =>
        "step(" + string.Join(",", Changes.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.AfterStep}:{c.LearningRate:R}"))) + ")";

    internal override void Validate()
    {
        for (int i = 0; i < Changes.Count; i++)
        {
            var (afterStep, rate) = Changes[i];
            if (afterStep < 0 || (i > 0 && afterStep <= Changes[i - 1].AfterStep))
                throw new ArgumentOutOfRangeException(nameof(Changes), afterStep, "StepSchedule: the steps of the changes must be ≥ 0 and increasing.");
            if (!(rate > 0) || double.IsInfinity(rate))
                throw new ArgumentOutOfRangeException(nameof(Changes), rate, "StepSchedule: each learning rate must be a finite number > 0.");
        }
    }
}

/// <summary>
/// Linear warm-up from lr/<c>WarmupSteps</c> to lr over <c>WarmupSteps</c> steps, then a half cosine down to
/// <c>FinalFactor</c>·lr at the run's last step (Loshchilov &amp; Hutter, "SGDR", 2017; nanoGPT's <c>get_lr</c>).
/// </summary>
/// <param name="WarmupSteps">Steps of linear warm-up; the peak, the base learning rate, is at this step. Default 100.</param>
/// <param name="FinalFactor">The learning rate at the last step, as a fraction of the base. Default 0.1.</param>
public sealed record CosineSchedule(int WarmupSteps = TrainingOptions.Defaults.WarmupSteps,
    double FinalFactor = TrainingOptions.Defaults.FinalLearningRateFactor) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(int step, int steps, double learningRate)
    {
        if (step <= WarmupSteps)
            return learningRate * step / WarmupSteps;
        if (step >= steps)
            return learningRate * FinalFactor;
        double progress = (double)(step - WarmupSteps) / (steps - WarmupSteps); // in (0, 1)
        double final = learningRate * FinalFactor;
        return final + 0.5 * (learningRate - final) * (1 + Math.Cos(Math.PI * progress));
    }

    internal override string Describe(int steps) =>
        string.Create(CultureInfo.InvariantCulture, $"cosine(warmup={WarmupSteps},final={FinalFactor:R},steps={steps})");

    internal override void Validate()
    {
        if (WarmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "WarmupSteps must be ≥ 0.");
        if (!(FinalFactor >= 0) || FinalFactor > 1)
            throw new ArgumentOutOfRangeException(nameof(FinalFactor), FinalFactor, "FinalFactor must be in [0, 1].");
    }
}

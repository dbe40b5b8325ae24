namespace Makemore.ML.Sampling;

/// <summary>
/// Sampling by rejection (a <see cref="NameConstraints.Pattern"/>, or only new names) ran out of its attempt budget
/// (<see cref="SamplingOptions.MaxAttempts"/> rejected draws in a row) before giving every name asked for.
/// </summary>
public sealed class SamplingBudgetExhaustedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What ran out, naming the pattern or the novelty filter and the budget.</param>
    /// <param name="budget">The attempt budget that ran out.</param>
    /// <param name="found">How many names were given before it ran out.</param>
    /// <param name="requested">How many names were asked for.</param>
    public SamplingBudgetExhaustedException(string message, int budget, int found, int requested) : base(message)
    {
        Budget = budget;
        Found = found;
        Requested = requested;
    }

    /// <summary>The attempt budget that ran out (rejected draws in a row).</summary>
    public int Budget { get; }

    /// <summary>How many names were given before the budget ran out.</summary>
    public int Found { get; }

    /// <summary>How many names were asked for.</summary>
    public int Requested { get; }
}

using System.Globalization;

namespace Makemore.ML.Counting;

/// <summary>How a count model turns counts into probabilities. Create with <see cref="AddK"/> or <see cref="KneserNey()"/>.</summary>
public abstract record Smoothing
{
    private protected Smoothing() { }

    /// <summary>No smoothing: maximum likelihood, so unseen events get probability 0 (an infinite loss).</summary>
    public static AddKSmoothing None => new(0);

    /// <summary>Additive smoothing: <c>P(c | h) = (N(h c) + k) / (N(h) + k·V)</c>; the lecture's "fake counts" are k = 1.</summary>
    /// <param name="k">The fake count added to every event, ≥ 0.</param>
    public static AddKSmoothing AddK(double k) => new(k);

    /// <summary>Interpolated modified Kneser–Ney (Chen &amp; Goodman 1998) with three discounts per order estimated from count-of-counts.</summary>
    public static KneserNeySmoothing KneserNey() => new(null);

    /// <summary>Interpolated Kneser–Ney with one fixed discount for every order and count.</summary>
    /// <param name="discount">The absolute discount D, in (0, 1].</param>
    public static KneserNeySmoothing KneserNey(double discount) => new([discount, discount, discount]);

    /// <summary>
    /// Parses the CLI form: <c>none</c>, <c>add-k:K</c> (also <c>add-one</c>), <c>kneser-ney</c> (modified, estimated discounts)
    /// or <c>kneser-ney:D</c> (one fixed discount).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static Smoothing Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        string[] parts = t.Split(':', 2);
        double Number() => parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new FormatException($"'{text}': expected a number after ':' (e.g. add-k:0.5).");
        return parts[0] switch
        {
            "none" when parts.Length == 1 => None,
            "add-one" when parts.Length == 1 => AddK(1),
            "add-k" => AddK(Number()),
            "kneser-ney" or "kn" => parts.Length == 1 ? KneserNey() : KneserNey(Number()),
            _ => throw new FormatException($"Unknown smoothing '{text}': use none, add-k:K, kneser-ney or kneser-ney:D."),
        };
    }

    internal abstract void Validate();
}

/// <summary>Additive ("add-k", Laplace for k = 1) smoothing.</summary>
/// <param name="K">The fake count added to every event, ≥ 0.</param>
public sealed record AddKSmoothing(double K) : Smoothing
{
    internal override void Validate()
    {
        if (!(K >= 0) || double.IsInfinity(K))
            throw new ArgumentOutOfRangeException(nameof(K), K, "The add-k fake count must be a finite number ≥ 0.");
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"add-k:{K}");
}

/// <summary>Interpolated Kneser–Ney smoothing.</summary>
/// <param name="Discounts">
/// Null to estimate modified Kneser–Ney's three discounts (for counts 1, 2, ≥ 3) per order from count-of-counts;
/// otherwise three fixed discounts D1, D2, D3+ used at every order.
/// </param>
public sealed record KneserNeySmoothing(IReadOnlyList<double>? Discounts) : Smoothing
{
    internal override void Validate()
    {
        if (Discounts is null)
            return;
        if (Discounts.Count != 3)
            throw new ArgumentException("Give three Kneser–Ney discounts (for counts 1, 2 and ≥ 3), or none to estimate them.", nameof(Discounts));
        // KneserNey(D), the CLI's kneser-ney:D, sets all three to one D; name that D, not D1, which the user never wrote.
        if (Discounts.Distinct().Count() == 1 && !(Discounts[0] > 0 && Discounts[0] <= 1))
            throw new ArgumentOutOfRangeException(nameof(Discounts), Discounts[0],
                string.Create(CultureInfo.InvariantCulture, $"The Kneser–Ney discount D must be in (0, 1], got {Discounts[0]} (kneser-ney:D applies one D to every count class)."));
        for (int i = 0; i < 3; i++)
            if (!(Discounts[i] > 0 && Discounts[i] <= i + 1))
                throw new ArgumentOutOfRangeException(nameof(Discounts), Discounts[i], $"Discount D{i + 1} must be in (0, {i + 1}].");
    }

    /// <inheritdoc/>
    public bool Equals(KneserNeySmoothing? other) =>
        other is not null && (Discounts is null ? other.Discounts is null : other.Discounts is not null && Discounts.SequenceEqual(other.Discounts));

    /// <inheritdoc/>
    public override int GetHashCode() => Discounts is null ? 0 : HashCode.Combine(Discounts[0], Discounts[1], Discounts[2]);

    /// <inheritdoc/>
    public override string ToString() => Discounts is null
        ? "kneser-ney"
        : Discounts.Distinct().Count() == 1
            ? string.Create(CultureInfo.InvariantCulture, $"kneser-ney:{Discounts[0]}")
            : string.Create(CultureInfo.InvariantCulture, $"kneser-ney:{Discounts[0]},{Discounts[1]},{Discounts[2]}");
}

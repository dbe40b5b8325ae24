using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Makemore.Cli.Internal;

/// <summary>
/// Allowed ranges of numeric options, checked while parsing: a value outside (zero, negative, NaN, ∞, too large for the type)
/// is one parse error that names the flag, the range and the value given, before any file is read.
/// </summary>
internal static class OptionRanges
{
    /// <summary>Accepts whole numbers from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Within(this Option<int> option, int min, int max = int.MaxValue)
    {
        option.CustomParser = result => (int)ParseWhole(result, Typed(result, option.Name), min, max);
        return option;
    }

    /// <summary>Accepts whole numbers from <paramref name="min"/> to <paramref name="max"/>; no default (a setting whose default depends on another flag).</summary>
    public static Option<int?> Within(this Option<int?> option, int min, int max = int.MaxValue)
    {
        option.CustomParser = result => (int)ParseWhole(result, Typed(result, option.Name), min, max);
        return option;
    }

    /// <summary>Accepts finite numbers &gt; 0 (with <paramref name="fitsFloat"/>, at most <see cref="float.MaxValue"/>); no default.</summary>
    public static Option<double?> Positive(this Option<double?> option, bool fitsFloat = false)
    {
        option.CustomParser = result => ParseFinite(result, option.Name, "a finite number > 0", x => x > 0, fitsFloat);
        return option;
    }

    /// <summary>Accepts finite numbers ≥ 0 (with <paramref name="fitsFloat"/>, at most <see cref="float.MaxValue"/>); no default.</summary>
    public static Option<double?> NonNegative(this Option<double?> option, bool fitsFloat = false)
    {
        option.CustomParser = result => ParseFinite(result, option.Name, "a finite number ≥ 0", x => x >= 0, fitsFloat);
        return option;
    }

    /// <summary>Accepts whole numbers from <paramref name="min"/> to <see cref="long.MaxValue"/>.</summary>
    public static Option<long> AtLeast(this Option<long> option, long min)
    {
        option.CustomParser = result => ParseWhole(result, option.Name, min, long.MaxValue);
        return option;
    }

    /// <summary>Accepts finite numbers &gt; 0; with <paramref name="fitsFloat"/>, at most <see cref="float.MaxValue"/> (the value ends up in a float tensor).</summary>
    public static Option<double> Positive(this Option<double> option, bool fitsFloat = false)
    {
        option.CustomParser = result => ParseFinite(result, option.Name, "a finite number > 0", x => x > 0, fitsFloat);
        return option;
    }

    /// <summary>Accepts finite numbers ≥ 0; with <paramref name="fitsFloat"/>, at most <see cref="float.MaxValue"/> (the value ends up in a float tensor).</summary>
    public static Option<double> NonNegative(this Option<double> option, bool fitsFloat = false)
    {
        option.CustomParser = result => ParseFinite(result, option.Name, "a finite number ≥ 0", x => x >= 0, fitsFloat);
        return option;
    }

    /// <summary>
    /// The error for a number given as <paramref name="text"/> that parses but is beyond <see cref="float.MaxValue"/>, e.g.
    /// "--lr 1e300 is too large: it must be a finite number &gt; 0 that fits a float (at most 3.4E+38)"; null when it fits.
    /// </summary>
    public static string? TooLargeForFloat(string name, string text, double value, string allowed) =>
        double.IsFinite(value) && Math.Abs(value) > float.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{name} {text} is too large: it must be {allowed} that fits a float (at most {float.MaxValue:G2})")
            : null;

    /// <summary>Accepts finite numbers in (0, 1], e.g. a probability mass.</summary>
    public static Option<double> Fraction(this Option<double> option)
    {
        option.CustomParser = result => ParseFinite(result, option.Name, "a number > 0 and ≤ 1", x => x > 0 && x <= 1);
        return option;
    }

    // The long alias the user typed (--seed for --split-seed), so the error names what is on their command line; a short
    // one (-n) is named by its long name (--count), which says more.
    private static string Typed(ArgumentResult result, string name) =>
        (result.Parent as OptionResult)?.IdentifierToken?.Value is { } typed && typed.StartsWith("--", StringComparison.Ordinal) ? typed : name;

    /// <summary>The words for a whole-number range, e.g. "at least 1" or "between 1 and 8".</summary>
    public static string Describe(long min, long max) => max is int.MaxValue or long.MaxValue
        ? $"at least {min}"
        : $"between {min} and {max}";

    private static long ParseWhole(ArgumentResult result, string name, long min, long max)
    {
        string text = result.Tokens[0].Value;
        if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            result.AddError($"{name} must be a whole number, {Describe(min, max)} (got '{text}')");
        else if (value < min)
            result.AddError($"{name} must be {Describe(min, max)} (got {text})");
        else if (value > max)
            result.AddError($"{name} must be {(max is int.MaxValue or long.MaxValue ? $"at most {max}" : Describe(min, max))} (got {text})");
        else
            return (long)value;
        return min;
    }

    private static double ParseFinite(ArgumentResult result, string name, string allowed, Func<double, bool> inRange, bool fitsFloat = false)
    {
        string text = result.Tokens[0].Value;
        bool parsed = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value);
        // A learning rate of 1e300 is a fine double, but libtorch holds it as a float: "value cannot be converted to type float
        // without overflow", naming no flag, once training starts.
        if (parsed && fitsFloat && inRange(value) && TooLargeForFloat(name, text, value, allowed) is { } tooLarge)
        {
            result.AddError(tooLarge);
            return 0;
        }
        if (parsed && double.IsFinite(value) && inRange(value))
            return value;
        result.AddError($"{name} must be {allowed} (got {text})");
        return 0;
    }
}

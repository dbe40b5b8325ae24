using System.Globalization;
using Makemore.ML.Text;
using Microsoft.AspNetCore.Http;

namespace Makemore.Service;

/// <summary>
/// Reads typed query parameters, refusing a malformed or out-of-range value with a message that names it, and any
/// parameter the endpoint does not take (a typo such as <c>cuont=3</c> was silently ignored, and the default used).
/// </summary>
internal sealed class QueryReader
{
    private readonly IQueryCollection _query;
    private readonly string[] _known;

    /// <summary>Reads <paramref name="query"/> for <paramref name="endpoint"/>, which takes only the <paramref name="known"/> parameters.</summary>
    /// <exception cref="BadRequestException">The query has a parameter the endpoint does not take (named, with the nearest it does).</exception>
    public QueryReader(IQueryCollection query, string endpoint, params string[] known)
    {
        _query = query;
        _known = known;
        foreach (string name in query.Keys)
            if (!known.Contains(name, StringComparer.Ordinal))
                throw new BadRequestException(Suggestions.Nearest(name, known) is { } nearest
                    ? $"'{name}' is not a parameter of {endpoint}; did you mean '{nearest}'?"
                    : $"'{name}' is not a parameter of {endpoint} (it takes {string.Join(", ", known)}).");
    }

    /// <summary>An integer in [min, max], or the default when absent.</summary>
    public int Int(string name, int defaultValue, int min, int max) => (int)Long(name, defaultValue, min, max);

    /// <summary>A long in [min, max], or the default when absent.</summary>
    public long Long(string name, long defaultValue, long min, long max)
    {
        if (Text(name) is not { } text)
            return defaultValue;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
            throw new BadRequestException($"'{name}' must be a whole number from {min} to {max:N0} (got '{text}').");
        return value;
    }

    /// <summary>A finite number in [min, max] (min exclusive when <paramref name="minExclusive"/>), or the default when absent.</summary>
    public double Double(string name, double defaultValue, double min, double max, bool minExclusive = false)
    {
        if (Text(name) is not { } text)
            return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) ||
            (minExclusive ? value <= min : value < min) || value > max)
            throw new BadRequestException($"'{name}' must be a number {(minExclusive ? "above" : "from")} {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} (got '{text}').");
        return value;
    }

    /// <summary>true for <c>true</c>, <c>1</c> or a bare flag (<c>?greedy</c>), false for <c>false</c>/<c>0</c> or absence.</summary>
    public bool Flag(string name)
    {
        if (!Known(name).TryGetValue(name, out var values))
            return false;
        string text = values.ToString();
        return text switch
        {
            "" or "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new BadRequestException($"'{name}' must be true or false (got '{text}')."),
        };
    }

    /// <summary>One of <paramref name="choices"/>, or the default when absent.</summary>
    public string Choice(string name, string defaultValue, params string[] choices)
    {
        if (Text(name) is not { } text)
            return defaultValue;
        if (!choices.Contains(text, StringComparer.Ordinal))
            throw new BadRequestException($"'{name}' must be one of {string.Join(", ", choices)} (got '{text}').");
        return text;
    }

    /// <summary>The parameter's text, or null when absent; refused when given twice.</summary>
    public string? Text(string name)
    {
        if (!Known(name).TryGetValue(name, out var values) || values.Count == 0)
            return null;
        if (values.Count > 1)
            throw new BadRequestException($"'{name}' is given {values.Count} times; give it once.");
        return values[0];
    }

    // Reading a parameter the endpoint does not list would refuse every request that sends it: a mistake in this code.
    private IQueryCollection Known(string name) =>
        _known.Contains(name, StringComparer.Ordinal) ? _query : throw new InvalidOperationException($"'{name}' is read but not listed as a parameter of the endpoint.");
}

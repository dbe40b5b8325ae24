using System.Text.RegularExpressions;
using Makemore.ML.Text;

namespace Makemore.ML.Sampling;

/// <summary>
/// What every generated name must satisfy. Everything but <see cref="Pattern"/> is enforced while decoding, by masking
/// the next-character distribution (never by drawing and discarding): a character is allowed only when the name can
/// still be completed within <see cref="MaxLength"/>, and the end token only when the name is complete. The pattern is
/// checked on finished names (rejection, with an attempt budget).
/// </summary>
public sealed class NameConstraints
{
    /// <summary>Defaults of the constraints, defined once.</summary>
    public static class Defaults
    {
        /// <summary>No lower bound: a name may be empty when the model ends it at once (the lecture's sampler allows it).</summary>
        public const int MinLength = 0;

        /// <summary>A sample is cut (the end token forced) after 100 characters.</summary>
        public const int MaxLength = 100;

        /// <summary>The largest <see cref="NameConstraints.MaxLength"/> accepted: the mask keeps a table per length.</summary>
        public const int LongestMaxLength = 10_000;
    }

    /// <summary>Characters every name starts with (included in the result; <c>--starts-with</c>, <c>--prefix</c>). Default: none.</summary>
    public string StartsWith { get; set; } = "";

    /// <summary>Characters every name ends with (<c>--ends-with</c>). Default: none.</summary>
    public string EndsWith { get; set; } = "";

    /// <summary>Characters every name contains as one run (<c>--contains</c>). Default: none.</summary>
    public string Contains { get; set; } = "";

    /// <summary>Characters no name contains (<c>--exclude</c>); they get probability 0 at every step. Default: none.</summary>
    public string ExcludedCharacters { get; set; } = "";

    /// <summary>Fewest characters of a name: the end token is masked below it. Default 0.</summary>
    public int MinLength { get; set; } = Defaults.MinLength;

    /// <summary>Most characters of a name: the end token is forced at it (a longer <see cref="StartsWith"/> is kept whole). Default 100.</summary>
    public int MaxLength { get; set; } = Defaults.MaxLength;

    /// <summary>
    /// A .NET regular expression every name must match (<see cref="Regex.IsMatch(string)"/>, so anchor it with <c>^…$</c> to
    /// match the whole name), checked on finished names: names that do not match are drawn again, within
    /// <see cref="SamplingOptions.MaxAttempts"/>. Default: none.
    /// </summary>
    public string? Pattern { get; set; }

    /// <summary>Checks the constraints against a vocabulary and builds the decoding mask.</summary>
    /// <exception cref="ArgumentException">A constraint is malformed or cannot be satisfied (min &gt; max, an excluded
    /// character in a required text, a character outside the vocabulary, no name fits the length bounds).</exception>
    internal ConstraintAutomaton Compile(CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(StartsWith, nameof(StartsWith));
        ArgumentNullException.ThrowIfNull(EndsWith, nameof(EndsWith));
        ArgumentNullException.ThrowIfNull(Contains, nameof(Contains));
        ArgumentNullException.ThrowIfNull(ExcludedCharacters, nameof(ExcludedCharacters));
        if (MinLength < 0)
            throw new ArgumentOutOfRangeException(nameof(MinLength), MinLength, "MinLength must be ≥ 0.");
        if (MaxLength < 1 || MaxLength > Defaults.LongestMaxLength)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, $"MaxLength must be between 1 and {Defaults.LongestMaxLength}.");
        if (MinLength > MaxLength)
            throw new ArgumentException($"MinLength ({MinLength}) is greater than MaxLength ({MaxLength}): no name can satisfy both.", nameof(MinLength));
        var excluded = new bool[vocabulary.Size];
        foreach (char c in ExcludedCharacters)
        {
            int id = vocabulary.IdOf(c);
            if (id == 0)
                throw new ArgumentException($"The excluded characters contain the boundary '{CharacterVocabulary.Boundary}', which ends every name.", nameof(ExcludedCharacters));
            if (id > 0)
                excluded[id] = true; // excluding a character the model cannot produce anyway is harmless
        }
        // Under the Skip or MapToUnknown policy the prefix maps as the vocabulary says (as before constraints existed).
        int[] prefix = vocabulary.Encode(StartsWith);
        int[] suffix = Required(vocabulary, EndsWith, nameof(EndsWith), "end with");
        int[] inside = Required(vocabulary, Contains, nameof(Contains), "contain");
        foreach (var (text, ids, what) in new[] { (StartsWith, prefix, "start with"), (EndsWith, suffix, "end with"), (Contains, inside, "contain") })
            foreach (int id in ids)
                if (excluded[id])
                    throw new ArgumentException($"Names must {what} '{text}' but '{vocabulary.SymbolOf(id)}' is excluded: no name can satisfy both.", nameof(ExcludedCharacters));
        if (Pattern is not null)
            _ = Regex(); // a malformed pattern is an ArgumentException now, not after the first name
        // A prefix longer than MaxLength is kept whole, and nothing is added to it (as before constraints existed).
        var automaton = new ConstraintAutomaton(vocabulary.Size, excluded, prefix, suffix, inside, MinLength, Math.Max(MaxLength, prefix.Length));
        if (!automaton.CanComplete(automaton.Start, prefix.Length))
            throw new ArgumentException(
                $"No name of {MinLength} to {MaxLength} characters can start with '{StartsWith}', end with '{EndsWith}' and contain '{Contains}'" +
                (ExcludedCharacters.Length > 0 ? $" without '{ExcludedCharacters}'" : "") + ": the constraints cannot be satisfied.", nameof(MaxLength));
        return automaton;
    }

    /// <summary>The compiled <see cref="Pattern"/>.</summary>
    internal Regex Regex()
    {
        try
        {
            return new Regex(Pattern!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The pattern '{Pattern}' is not a valid regular expression: {e.Message}", nameof(Pattern), e);
        }
    }

    private static int[] Required(CharacterVocabulary vocabulary, string text, string name, string what)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int id = vocabulary.IdOf(text[i]);
            if (id <= 0)
                throw new ArgumentException(
                    $"Names must {what} '{text}', but '{text[i]}' (U+{(int)text[i]:X4}) at position {i + 1} is not a character of the model's vocabulary ({vocabulary.Size} symbols: {vocabulary}).", name);
            ids[i] = id;
        }
        return ids;
    }
}

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

    /// <summary>Most characters of a name: the end token is forced at it (required texts that need more are refused). Default 100.</summary>
    public int MaxLength { get; set; } = Defaults.MaxLength;

    /// <summary>
    /// A .NET regular expression every name must match (<see cref="Regex.IsMatch(string)"/>, so anchor it with <c>^…$</c> to
    /// match the whole name), checked on finished names: names that do not match are drawn again, within
    /// <see cref="SamplingOptions.MaxAttempts"/>. Default: none.
    /// </summary>
    public string? Pattern { get; set; }

    /// <summary>Checks the constraints against a vocabulary and builds the decoding mask.</summary>
    /// <remarks>
    /// The one place where constraints are found contradictory, so the library, <c>makemore sample</c> and the service's
    /// <c>/generate</c> refuse the same requests. Messages name the constraints by property (<c>StartsWith 'zzz'</c>);
    /// <see cref="Rename"/> rewrites them as a caller knows them (<c>--starts-with</c>, <c>'starts-with'</c>).
    /// </remarks>
    /// <exception cref="ArgumentException">A constraint is malformed or no name can satisfy them all (min &gt; max, an excluded
    /// character in a required text, a character outside the vocabulary, required texts that need more than
    /// <see cref="MaxLength"/> characters together, no name within the length bounds).</exception>
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
            throw new ArgumentException($"MinLength {MinLength} is greater than MaxLength {MaxLength}: no name can satisfy both.", nameof(MinLength));
        var excluded = new bool[vocabulary.Size];
        foreach (char c in ExcludedCharacters)
        {
            int id = vocabulary.IdOf(c);
            if (id > 0)
                excluded[id] = true; // excluding a character the model cannot produce anyway is harmless
        }
        // The prefix is held to the vocabulary like the other texts, whatever the unknown-character policy: a skipped or
        // mapped character would give names that do not start with what was asked.
        int[] prefix = Required(vocabulary, StartsWith, nameof(StartsWith));
        int[] suffix = Required(vocabulary, EndsWith, nameof(EndsWith));
        int[] inside = Required(vocabulary, Contains, nameof(Contains));
        foreach (var (text, ids, name) in new[] { (StartsWith, prefix, nameof(StartsWith)), (EndsWith, suffix, nameof(EndsWith)), (Contains, inside, nameof(Contains)) })
            foreach (int id in ids)
                if (excluded[id])
                    throw new ArgumentException(
                        $"{name} '{text}' contains '{vocabulary.SymbolOf(id)}', which ExcludedCharacters '{ExcludedCharacters}' forbids: no name can satisfy both.", nameof(ExcludedCharacters));
        if (Pattern is not null)
            _ = Regex(); // a malformed pattern is an ArgumentException now, not after the first name
        var automaton = new ConstraintAutomaton(vocabulary.Size, excluded, prefix, suffix, inside, MinLength, MaxLength);
        if (!automaton.CanComplete(automaton.Start, prefix.Length))
            throw Unsatisfiable(vocabulary, automaton);
        return automaton;
    }

    /// <summary>
    /// Why no name fits the length bounds, with the shortest name that satisfies the texts (the shortest superstring of
    /// prefix, inner text and suffix, overlaps honoured) as the evidence: it is longer than <see cref="MaxLength"/>, or no
    /// name from <see cref="MinLength"/> to <see cref="MaxLength"/> characters does (a longer one cannot always be padded:
    /// 'aba' starts with ab, ends with ba and contains aba, but no name of 4 characters does over a and b).
    /// </summary>
    private ArgumentException Unsatisfiable(CharacterVocabulary vocabulary, ConstraintAutomaton automaton)
    {
        string shortest = vocabulary.Decode([.. automaton.Prefix, .. automaton.ShortestCompletion(automaton.Start)]);
        var texts = new[] { (nameof(StartsWith), StartsWith), (nameof(EndsWith), EndsWith), (nameof(Contains), Contains) }
            .Where(t => t.Item2.Length > 0).Select(t => $"{t.Item1} '{t.Item2}'").ToList();
        if (shortest.Length > MaxLength)
            return new ArgumentException(
                $"No name of at most MaxLength {MaxLength} characters can satisfy {Join(texts)}: the shortest that does, '{shortest}', has {shortest.Length}.", nameof(MaxLength));
        if (ExcludedCharacters.Length > 0)
            texts.Add($"ExcludedCharacters '{ExcludedCharacters}'");
        return new ArgumentException(
            $"No name of MinLength {MinLength} to MaxLength {MaxLength} characters can satisfy {Join(texts)} (the shortest that does, '{shortest}', has {shortest.Length}).", nameof(MinLength));

        static string Join(List<string> parts) => parts.Count <= 1 ? string.Concat(parts) : $"{string.Join(", ", parts[..^1])} and {parts[^1]}";
    }

    /// <summary>
    /// Rewrites the property names in a message of these constraints (<c>StartsWith</c>, <c>MaxLength</c>, …) as a caller
    /// knows them, e.g. <c>--starts-with</c> on the command line; quoted text (the user's own) is left as it is.
    /// </summary>
    internal static string Rename(string message, IReadOnlyDictionary<string, string> names)
    {
        string[] parts = message.Split('\'');
        for (int i = 0; i < parts.Length; i += 2) // even parts are outside quotes
            foreach (var (property, name) in names)
                parts[i] = System.Text.RegularExpressions.Regex.Replace(parts[i], $@"\b{property}\b", name.Replace("$", "$$", StringComparison.Ordinal));
        return string.Join('\'', parts);
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
            throw new ArgumentException($"Pattern '{Pattern}' is not a valid regular expression: {e.Message}", nameof(Pattern), e);
        }
    }

    private static int[] Required(CharacterVocabulary vocabulary, string text, string name)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int id = vocabulary.IdOf(text[i]);
            if (id < 0)
                throw new ArgumentException(
                    $"{name} '{text}' contains {CharacterVocabulary.Describe(text, i)} at position {i + 1}, which is not in the model's vocabulary ({vocabulary.Size} symbols: {vocabulary}).", name);
            ids[i] = id;
        }
        return ids;
    }
}

using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using Microsoft.ML;

namespace Makemore.ML.Text;

/// <summary>What to do with a character the vocabulary has not seen in training data.</summary>
public enum UnknownCharacterPolicy
{
    /// <summary>Throw an error naming the text, the character and its column.</summary>
    Error,
    /// <summary>Drop the character, as if it were not there.</summary>
    Skip,
    /// <summary>Map it to a reserved unknown symbol (<see cref="CharacterVocabulary.UnknownSymbol"/>), the last id.</summary>
    MapToUnknown,
}

/// <summary>
/// A character vocabulary as makemore builds it: the sorted set of characters seen in training data at ids 1, 2, …, after
/// the boundary token at id 0, which both starts and ends every name. The boundary is a token outside the alphabet
/// (makemore.py's index 0), not a character: every character, <c>'.'</c> included, can be in a name. It is displayed as
/// <see cref="Boundary"/>, <c>'.'</c>, as the lectures write it; a <c>'.'</c> in the data is a character with its own id.
/// </summary>
public sealed class CharacterVocabulary : IEquatable<CharacterVocabulary>
{
    /// <summary>
    /// How the boundary token (id 0, before the first and after the last character) is displayed: <c>'.'</c>, as the lectures
    /// write it. Not a character: a <c>'.'</c> in a text is the character <c>'.'</c>, encoded as its own id (≥ 1) or as unseen.
    /// </summary>
    public const char Boundary = '.';

    /// <summary>
    /// The text of the boundary in a vocabulary whose characters include <c>'.'</c>, where symbols are strings (the
    /// <c>KeyValues</c> of key columns, the padding of context windows): three characters, so no character can be it.
    /// </summary>
    public const string DistinctBoundaryText = "<.>";

    /// <summary>The symbol that stands for every unseen character under <see cref="UnknownCharacterPolicy.MapToUnknown"/>.</summary>
    public const char UnknownSymbol = '\uFFFD';

    private const int AsciiLimit = 128;

    private readonly string _symbols;
    private readonly Dictionary<char, int> _ids;
    private readonly sbyte[] _asciiIds; // [c] for c < 128: the id, or -1; scoring looks up every character, and this is 10× a dictionary
    private readonly bool _hasBoundaryCharacter; // whether '.' is also one of the characters (id ≥ 1)

    private CharacterVocabulary(string symbols, UnknownCharacterPolicy policy)
    {
        _symbols = symbols;
        Policy = policy;
        _ids = new Dictionary<char, int>(symbols.Length);
        _asciiIds = new sbyte[AsciiLimit];
        _asciiIds.AsSpan().Fill(-1);
        for (int i = 1; i < symbols.Length; i++) // id 0 is the boundary, no character
        {
            _ids[symbols[i]] = i;
            if (symbols[i] < AsciiLimit && i <= sbyte.MaxValue)
                _asciiIds[symbols[i]] = (sbyte)i;
        }
        _hasBoundaryCharacter = _ids.ContainsKey(Boundary);
        Symbols = new ReadOnlyCollection<char>(symbols.ToCharArray());
    }

    /// <summary>
    /// Every symbol by id, as displayed: <c>Symbols[0]</c> is the boundary, shown as <see cref="Boundary"/>; when <c>'.'</c> is
    /// also a character, it appears a second time at its own id.
    /// </summary>
    public IReadOnlyList<char> Symbols { get; }

    /// <summary>Number of symbols, the boundary (and the unknown symbol, if any) included: 27 for makemore's names.</summary>
    public int Size => _symbols.Length;

    /// <summary>What happens to characters outside the vocabulary.</summary>
    public UnknownCharacterPolicy Policy { get; }

    /// <summary>The id of the unknown symbol, or -1 when the policy is not <see cref="UnknownCharacterPolicy.MapToUnknown"/>.</summary>
    public int UnknownId => Policy == UnknownCharacterPolicy.MapToUnknown ? _symbols.Length - 1 : -1;

    /// <summary>Learns the vocabulary of a collection of texts: every distinct character, sorted ordinally, after the boundary.</summary>
    /// <param name="texts">Training texts; any character, <c>'.'</c> included.</param>
    /// <param name="policy">What later lookups do with unseen characters.</param>
    public static CharacterVocabulary Learn(IEnumerable<string> texts, UnknownCharacterPolicy policy = UnknownCharacterPolicy.Error)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seen = new bool[char.MaxValue + 1]; // a bitmap, sorted once at the end: a SortedSet.Add per character cost 12× the counting
        foreach (string text in texts)
            See(seen, text);
        return FromSeen(seen, policy);
    }

    /// <summary><see cref="Learn(IEnumerable{string}, UnknownCharacterPolicy)"/> over a text column, without a string per row.</summary>
    internal static CharacterVocabulary Learn(IDataView data, DataViewSchema.Column column, UnknownCharacterPolicy policy)
    {
        var seen = new bool[char.MaxValue + 1];
        using var cursor = Data.SequentialCursor.Open(data, [column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            getter(ref text);
            See(seen, text.Span);
        }
        return FromSeen(seen, policy);
    }

    // Marks a text's characters in the bitmap.
    private static void See(bool[] seen, ReadOnlySpan<char> text)
    {
        foreach (char c in text)
            seen[c] = true;
    }

    private static CharacterVocabulary FromSeen(bool[] seen, UnknownCharacterPolicy policy)
    {
        var sorted = new StringBuilder();
        for (int c = 0; c < seen.Length; c++)
            if (seen[c])
                sorted.Append((char)c);
        return FromSymbols(sorted.ToString(), policy);
    }

    /// <summary>
    /// Builds a vocabulary from its characters (the boundary is added, not given), e.g. <c>"abcdefghijklmnopqrstuvwxyz"</c>;
    /// a <c>'.'</c> among them is a character like any other.
    /// </summary>
    public static CharacterVocabulary FromCharacters(string characters, UnknownCharacterPolicy policy = UnknownCharacterPolicy.Error)
    {
        ArgumentNullException.ThrowIfNull(characters);
        var sorted = new SortedSet<char>(characters);
        return FromSymbols(string.Concat(sorted), policy);
    }

    private static CharacterVocabulary FromSymbols(string sortedCharacters, UnknownCharacterPolicy policy)
    {
        // Only MapToUnknown reserves U+FFFD (as its last id); under the other policies it is a character like any other,
        // so that a vocabulary can always encode the texts it was learned from.
        string symbols = policy == UnknownCharacterPolicy.MapToUnknown
            ? Boundary + sortedCharacters.Replace(UnknownSymbol.ToString(), "", StringComparison.Ordinal) + UnknownSymbol
            : Boundary + sortedCharacters;
        return new CharacterVocabulary(symbols, policy);
    }

    /// <summary>The id of a character (≥ 1), or -1 when it is not in the vocabulary; never the boundary's 0.</summary>
    public int IdOf(char c)
    {
        if (c < AsciiLimit)
        {
            int id = _asciiIds[c];
            // An id above 127 cannot be in the ASCII table; the dictionary has it.
            return id >= 0 || _symbols.Length <= sbyte.MaxValue ? id : _ids.GetValueOrDefault(c, -1);
        }
        return _ids.TryGetValue(c, out int found) ? found : -1;
    }

    /// <summary>Whether the vocabulary has this character.</summary>
    public bool Contains(char c) => IdOf(c) >= 0;

    /// <summary>The symbol of an id, as displayed: <see cref="Boundary"/> for id 0.</summary>
    public char SymbolOf(int id) => _symbols[id];

    /// <summary>
    /// The boundary where symbols are strings (<c>KeyValues</c>, context windows): <c>"."</c>, unless <c>'.'</c> is one of
    /// the characters; then <see cref="DistinctBoundaryText"/>, so that the two never meet as one key.
    /// </summary>
    public string BoundaryText => _hasBoundaryCharacter ? DistinctBoundaryText : BoundaryString;

    /// <summary>The text of a symbol where symbols are strings: <see cref="BoundaryText"/> for id 0, else the character.</summary>
    public string TextOf(int id) => id == 0 ? BoundaryText : _symbols[id].ToString();

    private static readonly string BoundaryString = Boundary.ToString();

    /// <summary>
    /// Maps a text to ids (no boundary tokens), applying <see cref="Policy"/> to unseen characters.
    /// </summary>
    /// <exception cref="FormatException">A character is unseen and the policy is <see cref="UnknownCharacterPolicy.Error"/>.</exception>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        var ids = new int[text.Length];
        int n = Encode(text, ids);
        return n == ids.Length ? ids : ids[..n];
    }

    /// <summary>
    /// Maps a text to ids (no boundary tokens) into a caller's buffer, applying <see cref="Policy"/> to unseen characters:
    /// <see cref="Encode(ReadOnlySpan{char})"/> without allocating.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="ids">Receives the ids; at least <c>text.Length</c> long.</param>
    /// <returns>How many ids were written (fewer than <c>text.Length</c> when the policy skips unseen characters).</returns>
    /// <exception cref="FormatException">A character is unseen and the policy is <see cref="UnknownCharacterPolicy.Error"/>.</exception>
    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        if (ids.Length < text.Length)
            throw new ArgumentException($"Needs room for {text.Length} ids, got {ids.Length}.", nameof(ids));
        int n = 0;
        sbyte[] ascii = _asciiIds;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int id = c < (uint)ascii.Length ? ascii[c] : -1; // the common case inline; anything else out of the loop
            if (id > 0)
                ids[n++] = id;
            else
                n = EncodeOther(text, i, ids, n);
        }
        return n;
    }

    // A character the ASCII table does not map: looked up, refused or handled by the policy; returns the new id count.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private int EncodeOther(ReadOnlySpan<char> text, int i, Span<int> ids, int n)
    {
        char c = text[i];
        int id = IdOf(c);
        if (id > 0)
        {
            ids[n++] = id;
            return n;
        }
        switch (Policy)
        {
            case UnknownCharacterPolicy.Error:
                throw new FormatException(
                    $"'{text}' contains {Describe(text, i)} at column {i + 1}, which is not in the vocabulary ({Size} symbols: {Printable()}). " +
                    $"Train on data that has it, or choose {nameof(UnknownCharacterPolicy)}.{nameof(UnknownCharacterPolicy.Skip)} or {nameof(UnknownCharacterPolicy.MapToUnknown)} (makemore train --unknown skip|map).");
            case UnknownCharacterPolicy.Skip:
                return n;
            case UnknownCharacterPolicy.MapToUnknown:
                ids[n++] = UnknownId;
                return n;
            default:
                throw new InvalidOperationException($"Unknown policy {Policy}.");
        }
    }

    /// <summary>Maps ids back to text; the boundary id is displayed as <see cref="Boundary"/>.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        Span<char> text = ids.Length <= 256 ? stackalloc char[ids.Length] : new char[ids.Length];
        for (int i = 0; i < ids.Length; i++)
            text[i] = _symbols[ids[i]];
        return new string(text);
    }

    /// <summary>The symbols as one string, boundary first (e.g. <c>.abcdefghijklmnopqrstuvwxyz</c>; <c>.-.abc</c> when <c>'.'</c> is a character).</summary>
    public override string ToString() => Printable();

    private string Printable() => _symbols;

    /// <summary>Describes a character for error messages: the character and its code point (a lone surrogate by its code alone).</summary>
    internal static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c)
            ? $"U+{(int)c:X4}"
            : $"'{c}' (U+{(int)c:X4})";

    /// <summary>
    /// Describes the character at <paramref name="index"/> of a text for error messages. A surrogate pair is one character
    /// ('😀' (U+1F600)), wherever the index falls in it: described unit by unit, an emoji was a replacement character and
    /// U+D83D once it had passed through JSON or a terminal.
    /// </summary>
    internal static string Describe(ReadOnlySpan<char> text, int index)
    {
        if (char.IsLowSurrogate(text[index]) && index > 0 && char.IsHighSurrogate(text[index - 1]))
            index--;
        return Rune.DecodeFromUtf16(text[index..], out var rune, out _) == System.Buffers.OperationStatus.Done && !rune.IsBmp
            ? $"'{rune}' (U+{rune.Value:X4})"
            : Describe(text[index]);
    }

    // The saved form: the policy, then every symbol by id, the boundary written as '.' at id 0. A '.' character after it is
    // unambiguous (id 0 is always the boundary), so a vocabulary with '.' needs no other format, and files saved before
    // '.' could be a character read as they were.
    internal void Write(BinaryWriter writer)
    {
        writer.Write((byte)Policy);
        writer.Write(_symbols.Length);
        foreach (char c in _symbols)
            writer.Write((ushort)c);
    }

    internal static CharacterVocabulary Read(BinaryReader reader)
    {
        var policy = (UnknownCharacterPolicy)reader.ReadByte();
        if (!Enum.IsDefined(policy))
            throw new InvalidDataException($"Unknown character policy {(int)policy} in a saved vocabulary.");
        int n = reader.ReadInt32();
        if (n < 1 || n > char.MaxValue)
            throw new InvalidDataException($"A saved vocabulary has {n.ToString(CultureInfo.InvariantCulture)} symbols.");
        var chars = new char[n];
        for (int i = 0; i < n; i++)
            chars[i] = (char)reader.ReadUInt16();
        if (chars[0] != Boundary)
            throw new InvalidDataException("A saved vocabulary does not start with the boundary token.");
        return new CharacterVocabulary(new string(chars), policy);
    }

    /// <inheritdoc/>
    public bool Equals(CharacterVocabulary? other) =>
        other is not null && other._symbols == _symbols && other.Policy == Policy;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CharacterVocabulary);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_symbols, Policy);
}

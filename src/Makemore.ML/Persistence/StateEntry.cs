using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Makemore.ML.Persistence;

/// <summary>
/// A language model's state as a saved model's zip holds it, read straight from the entry's bytes. The key values of a
/// state's <c>HashingTransformer</c> (<see cref="StateChain"/>) are ML.NET's <c>TextSpanBuffer</c> sub-model
/// <c>…/Vocabulary_000/Model.key</c>, whose text block ends with the text codec's end boundary (int32, in characters),
/// the text's byte length (LEB128) and the UTF-8 text. A state's text is 7-bit, so its characters and bytes are one to
/// one and both lengths are equal: the state is found by its prefix and the two lengths, and its own checksum confirms it.
/// </summary>
/// <remarks>
/// <see cref="ModelFile"/> uses this to load a model without handing the state to ML.NET, which reads it into a string of
/// two bytes a character (through a chunked decoder) and keeps that string for as long as the model lives: for a
/// large count model, a 66 MB string and a fifth of a second. Anything this does not recognise is left to ML.NET.
/// </remarks>
internal static partial class StateEntry
{
    /// <summary>
    /// The position in the saved chain of the transformer a key-values entry belongs to, when the entry is the key values
    /// of a transformer nested in the chain's element <c>Transform_NNN</c> (a Makemore façade saves its inner chain there);
    /// null for any other entry.
    /// </summary>
    public static int? TopLevelIndex(string entryName) =>
        NestedKeyValues().Match(entryName) is { Success: true } match
            ? int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture)
            : null;

    /// <summary>The entry that ML.NET writes beside key values for people to read (never read back).</summary>
    public static string ReadableCopyOf(string entryName) => entryName[..^"Model.key".Length] + "Terms.txt";

    /// <summary>The UTF-8 text of the Makemore state a key-values entry holds, or an empty span when it holds none.</summary>
    public static ReadOnlyMemory<byte> FindText(byte[] entry)
    {
        var bytes = entry.AsSpan();
        int at = bytes.IndexOf(ModelState.TextPrefixUtf8);
        if (at < 5)
            return default;
        // The LEB128 length ends just before the text: its last byte has the high bit clear, the ones before it set. The
        // int32 boundary before it has a clear high bit in its last byte (a length below 2^31), which stops the walk.
        int lengthBytes = 1;
        while (lengthBytes < 5 && at - lengthBytes - 1 >= 0 && (bytes[at - lengthBytes - 1] & 0x80) != 0)
            lengthBytes++;
        int start = at - lengthBytes;
        if (start < 4 || (bytes[at - 1] & 0x80) != 0)
            return default;
        long length = 0;
        for (int i = 0; i < lengthBytes; i++)
            length |= (long)(bytes[start + i] & 0x7F) << (7 * i);
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes[(start - 4)..]) != length || at + length > bytes.Length)
            return default;
        return entry.AsMemory(at, (int)length);
    }

    [GeneratedRegex(@"^TransformerChain/Transform_(\d{3,9})/.+/Vocabulary_000/Model\.key$", RegexOptions.CultureInvariant)]
    private static partial Regex NestedKeyValues();
}

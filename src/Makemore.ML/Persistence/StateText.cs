using System.Buffers.Binary;

namespace Makemore.ML.Persistence;

/// <summary>
/// Bytes as text in the densest form ML.NET's text codec keeps: 7 bits per character, characters U+0000–U+007F.
/// The codec stores strings as UTF-8 (in data files, and in the key values a state's <c>HashingTransformer</c> saves),
/// where these take one byte each (8 characters for 7 bytes, 1.14×, deflated in the zip to about 0.99×; base64
/// takes 1.33×, and characters above U+007F take 2–3 UTF-8 bytes for at most 16 bits). Every byte is read at each load,
/// so fewer is faster.
/// </summary>
/// <remarks>
/// Each 7 bytes, read as a big-endian 56-bit number, give 8 characters of 7 bits, high bits first. A tail of r bytes
/// (1–6) gives r + 1 characters, the unused low bits zero. Decoding refuses any other length, a character above U+007F
/// and non-zero unused bits, so every string decodes to at most one byte sequence.
/// </remarks>
internal static class StateText
{
    public static string Encode(ReadOnlySpan<byte> bytes, string prefix = "") => Encode(bytes.ToArray(), bytes.Length, prefix);

    /// <summary>
    /// The text of the first <paramref name="count"/> bytes of <paramref name="buffer"/> (read, not copied), after
    /// <paramref name="prefix"/>: one string, where a concatenation would copy a state of tens of megabytes once more.
    /// </summary>
    public static string Encode(byte[] buffer, int count, string prefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length);
        return Encode([buffer], count, prefix);
    }

    /// <summary>
    /// The text of the first <paramref name="count"/> bytes of <paramref name="chunks"/> taken one after the other (read,
    /// not copied), after <paramref name="prefix"/>. Every chunk but the last must be whole groups (a multiple of 7
    /// bytes) and full: each is then encoded on its own, into the characters the bytes would give together.
    /// </summary>
    public static string Encode(IReadOnlyList<byte[]> chunks, long count, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(chunks);
        long full = 0;
        for (int i = 0; i < chunks.Count - 1; i++)
        {
            if (chunks[i].Length % 7 != 0)
                throw new ArgumentException($"Chunk {i} has {chunks[i].Length} bytes, not a multiple of 7.", nameof(chunks));
            full += chunks[i].Length;
        }
        if (count < full || (chunks.Count > 0 && count > full + chunks[^1].Length) || (chunks.Count == 0 && count != 0))
            throw new ArgumentOutOfRangeException(nameof(count), count, "The chunks do not hold that many bytes.");
        long length = prefix.Length + 8L * (count / 7) + (count % 7 == 0 ? 0 : count % 7 + 1);
        if (length > Array.MaxLength)
            throw new InvalidOperationException($"A state of {count:N0} bytes is too large to save.");
        return string.Create((int)length, (chunks, count, prefix), static (text, state) =>
        {
            state.prefix.CopyTo(text);
            var chars = text[state.prefix.Length..];
            long left = state.count;
            foreach (byte[] chunk in state.chunks)
            {
                var source = chunk.AsSpan(0, (int)Math.Min(left, chunk.Length));
                int written = EncodeInto(source, chars);
                chars = chars[written..];
                left -= source.Length;
            }
        });
    }

    // Writes the characters of `source` (whole groups, then a tail of 1–6 bytes if any) at the start of `chars`; returns how many.
    private static int EncodeInto(ReadOnlySpan<byte> source, Span<char> chars)
    {
        int groups = source.Length / 7, tail = source.Length % 7;
        Span<byte> last = stackalloc byte[8];
        for (int g = 0; g < groups; g++)
        {
            ulong v;
            int at = 7 * g;
            if (at + 8 <= source.Length)
                v = BinaryPrimitives.ReadUInt64BigEndian(source[at..]) >> 8;
            else
            {
                last.Clear();
                source.Slice(at, 7).CopyTo(last[1..]);
                v = BinaryPrimitives.ReadUInt64BigEndian(last);
            }
            var group = chars.Slice(8 * g, 8);
            for (int j = 0; j < 8; j++)
                group[j] = (char)((v >> (49 - 7 * j)) & 0x7F);
        }
        if (tail == 0)
            return 8 * groups;
        last.Clear();
        source.Slice(7 * groups, tail).CopyTo(last[1..]);
        ulong rest = BinaryPrimitives.ReadUInt64BigEndian(last);
        var end = chars.Slice(8 * groups, tail + 1);
        for (int j = 0; j < end.Length; j++)
            end[j] = (char)((rest >> (49 - 7 * j)) & 0x7F);
        return 8 * groups + tail + 1;
    }

    /// <summary>The bytes <paramref name="text"/> encodes, or null when it is not a string <see cref="Encode(byte[], int, string)"/> writes.</summary>
    public static byte[]? Decode(string text, int start = 0) => Decode(text.AsMemory(start));

    /// <summary>
    /// The bytes the UTF-8 form of such a string encodes (each of its characters is one byte there), or null when it is not
    /// one: the state read straight from the bytes of a saved model's entry, with no string in between.
    /// </summary>
    public static byte[]? Decode(ReadOnlyMemory<byte> utf8) => Decode<byte>(utf8);

    // Groups per range when a large text is decoded over the cores (8 MB of text a range).
    private const int GroupsPerTask = 1 << 20;

    private static byte[]? Decode<T>(ReadOnlyMemory<T> text) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int groups = text.Length / 8, tailChars = text.Length % 8;
        if (tailChars == 1)
            return null;
        int tail = tailChars == 0 ? 0 : tailChars - 1;
        byte[] bytes = GC.AllocateUninitializedArray<byte>(7 * groups + tail); // every byte is written below
        int bad = 0;
        WorkRanges.Run(groups, GroupsPerTask, (first, last) =>
        {
            if (!DecodeGroups(text.Span, bytes, first, last))
                Volatile.Write(ref bad, 1);
        });
        if (bad != 0)
            return null;
        if (tail > 0)
        {
            var group = text.Span[(8 * groups)..];
            ulong v = 0;
            int any = 0;
            for (int j = 0; j < 8; j++)
            {
                int c = j < group.Length ? int.CreateTruncating(group[j]) : 0;
                any |= c;
                v = (v << 7) | (uint)c;
            }
            // The 56 bits hold tail bytes, then 56 - 8 * tail unused bits that must be zero.
            if (any > 0x7F || (v & ((1UL << (56 - 8 * tail)) - 1)) != 0)
                return null;
            Span<byte> last = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(last, v << 8);
            last[..tail].CopyTo(bytes.AsSpan(7 * groups));
        }
        return bytes;
    }

    // Groups [first, last) of 8 characters into 7 bytes each; false when a character is above U+007F.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool DecodeGroups<T>(ReadOnlySpan<T> text, byte[] bytes, int first, int last) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        Span<byte> eight = stackalloc byte[8];
        for (int g = first; g < last; g++)
        {
            var group = text.Slice(8 * g, 8);
            ulong v = 0;
            int any = 0;
            for (int j = 0; j < 8; j++)
            {
                int c = int.CreateTruncating(group[j]);
                any |= c;
                v = (v << 7) | (uint)c;
            }
            if (any > 0x7F)
                return false;
            int at = 7 * g;
            if (g < last - 1)
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at), v << 8); // its eighth byte is the next group's first, written next
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(eight, v << 8);
                eight[..7].CopyTo(bytes.AsSpan(at));
            }
        }
        return true;
    }
}

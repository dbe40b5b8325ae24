using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Makemore.ML.Persistence;

/// <summary>
/// Bulk reads and writes of float arrays in a state payload, in the same bytes as a loop of
/// <see cref="BinaryWriter.Write(float)"/> / <see cref="BinaryReader.ReadSingle"/> (little-endian IEEE 754), so a payload
/// format does not change when its code switches to these. One copy instead of a call per value: about ten times faster
/// for a 14M-parameter model.
/// </summary>
internal static class StateIO
{
    /// <summary>Writes <paramref name="values"/> as <paramref name="values"/>.Length little-endian float32s, no count.</summary>
    public static void WriteSingles(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Flush();
        if (BitConverter.IsLittleEndian)
        {
            writer.BaseStream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        foreach (float value in values)
            writer.Write(value);
    }

    /// <summary>Reads <paramref name="count"/> little-endian float32s.</summary>
    /// <exception cref="EndOfStreamException">Fewer bytes remain.</exception>
    public static float[] ReadSingles(BinaryReader reader, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var stream = reader.BaseStream;
        // Refuse before allocating when the stream cannot hold that many (a damaged count must not allocate gigabytes).
        if (count > Array.MaxLength || (stream.CanSeek && count * sizeof(float) > stream.Length - stream.Position))
            throw new EndOfStreamException($"The state ends before its {count:N0} float32 values.");
        var values = new float[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        return values;
    }

    /// <summary>Writes the length (int32), then the values as <see cref="WriteSingles"/> does.</summary>
    public static void WriteArray(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        WriteSingles(writer, values);
    }

    /// <summary>Reads what <see cref="WriteArray"/> wrote; a length outside 0…<paramref name="maxLength"/> is damage.</summary>
    public static float[] ReadArray(BinaryReader reader, long maxLength)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > maxLength)
            throw new InvalidDataException($"A saved array claims {length} values (at most {maxLength} expected); the model file is damaged.");
        return ReadSingles(reader, length);
    }
}

using System.Runtime.InteropServices;

namespace Makemore.ML.Persistence;

/// <summary>Float arrays in a model payload, written and read in bulk (little-endian float32, length first).</summary>
internal static class BinaryArrays
{
    /// <summary>Writes the length (int32) then the values as raw little-endian float32.</summary>
    public static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Makemore model files are little-endian.");
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads what <see cref="WriteFloats"/> wrote; a length outside 0…<paramref name="maxLength"/> is damage.</summary>
    public static float[] ReadFloats(BinaryReader reader, long maxLength)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > maxLength)
            throw new InvalidDataException($"A saved array claims {length} values (at most {maxLength} expected); the model file is damaged.");
        var values = new float[length];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
            throw new EndOfStreamException();
        return values;
    }
}

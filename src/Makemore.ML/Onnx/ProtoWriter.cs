using System.Buffers.Binary;
using System.Text;

namespace Makemore.ML.Onnx;

/// <summary>
/// The protocol-buffers wire format, written by hand for the few ONNX messages the exporter needs (see
/// <see cref="OnnxModelWriter"/>): varints, length-delimited fields and packed repeated scalars. Parsers accept packed
/// and unpacked repeated scalars alike (the protobuf encoding rules), so repeated numbers are always packed.
/// </summary>
/// <remarks>
/// Why not Google.Protobuf: the product's export would then carry a generated copy of onnx.proto and a package for the
/// ~10 fields it writes; this file is the whole encoder, and ONNX Runtime reading our files is what the tests check.
/// </remarks>
internal sealed class ProtoWriter
{
    private const int Varint = 0;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    private readonly MemoryStream _buffer = new();

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);

    /// <summary>Writes the message to a stream.</summary>
    public void CopyTo(Stream stream) => stream.Write(Written);

    /// <summary>An int32, int64 or enum field (negative values take ten bytes, as protobuf encodes them).</summary>
    public void Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
    }

    /// <summary>A float field.</summary>
    public void Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>A string field (UTF-8).</summary>
    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>An embedded message field.</summary>
    public void Message(int field, ProtoWriter message) => Bytes(field, message.Written);

    /// <summary>A repeated int64 field, packed.</summary>
    public void PackedInt64s(int field, ReadOnlySpan<long> values)
    {
        var packed = new ProtoWriter();
        foreach (long value in values)
            packed.WriteVarint((ulong)value);
        Bytes(field, packed.Written);
    }

    /// <summary>A repeated float field, packed.</summary>
    public void PackedFloats(int field, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        Bytes(field, bytes);
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}

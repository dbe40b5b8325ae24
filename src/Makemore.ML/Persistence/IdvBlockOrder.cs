using System.Buffers.Binary;
using System.Text;

namespace Makemore.ML.Persistence;

/// <summary>
/// Puts the blocks of an ML.NET binary data file (<c>.idv</c>, as a <c>ValueMapping</c> saves its table: files saved
/// before the hash route held the state that way, and pipelines may hold other ones) in the
/// deterministic order (block by block, column by column). ML.NET's saver compresses columns on parallel threads and by
/// default writes each block when its thread finishes, so the same data can give different bytes from run to run; this
/// rewrites only the block order and the block offsets in the lookup tables, nothing a reader decodes differently.
/// </summary>
/// <remarks>
/// Layout (ML.NET's IDV format): a 256-byte header (table-of-contents offset at 24, row count at 40, column count at
/// 48), the blocks back to back, a lookup table per column (16 bytes per block: offset, length, uncompressed length), the
/// columns' metadata, then the table of contents (per column: name, codec name, codec parameters, compression, rows per
/// block, lookup-table offset, metadata offset). Anything unexpected leaves the bytes as they are.
/// </remarks>
internal static class IdvBlockOrder
{
    private const int HeaderSize = 256;
    private static readonly byte[] Signature = "CML\0DVB\0"u8.ToArray();

    /// <summary>The same file with its blocks in canonical order, or <paramref name="idv"/> itself when it cannot be parsed.</summary>
    public static byte[] Canonical(byte[] idv)
    {
        try
        {
            return TryCanonical(idv) ?? idv;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or IOException or OverflowException)
        {
            return idv;
        }
    }

    private static byte[]? TryCanonical(byte[] idv)
    {
        if (idv.Length < HeaderSize || !idv.AsSpan(0, 8).SequenceEqual(Signature))
            return null;
        long tocOffset = BinaryPrimitives.ReadInt64LittleEndian(idv.AsSpan(24));
        long rowCount = BinaryPrimitives.ReadInt64LittleEndian(idv.AsSpan(40));
        int columnCount = BinaryPrimitives.ReadInt32LittleEndian(idv.AsSpan(48));
        if (tocOffset < HeaderSize || tocOffset >= idv.Length || columnCount < 1 || rowCount < 0)
            return null;
        using var reader = new BinaryReader(new MemoryStream(idv, (int)tocOffset, idv.Length - (int)tocOffset), Encoding.UTF8);
        // (lookup-table offset, blocks) per column
        var lookups = new List<(long Offset, long Blocks)>(columnCount);
        for (int c = 0; c < columnCount; c++)
        {
            reader.ReadString(); // column name
            reader.ReadString(); // codec name
            reader.BaseStream.Seek(checked((long)Leb128(reader)), SeekOrigin.Current); // codec parameters
            reader.ReadByte(); // compression
            ulong rowsPerBlock = Leb128(reader);
            long lookupOffset = reader.ReadInt64();
            reader.ReadInt64(); // metadata table of contents
            if (rowsPerBlock == 0)
                return null;
            lookups.Add((lookupOffset, (rowCount + (long)rowsPerBlock - 1) / (long)rowsPerBlock));
        }
        // Every block, by (block, column): where it is and how long.
        var blocks = new List<(long Block, int Column, long Offset, int Length, int Entry)>();
        for (int c = 0; c < columnCount; c++)
            for (long b = 0; b < lookups[c].Blocks; b++)
            {
                int entry = checked((int)(lookups[c].Offset + 16 * b));
                blocks.Add((b, c, BinaryPrimitives.ReadInt64LittleEndian(idv.AsSpan(entry)), BinaryPrimitives.ReadInt32LittleEndian(idv.AsSpan(entry + 8)), entry));
            }
        // The blocks must tile [256, end) exactly, or this is not the layout this code knows.
        long end = HeaderSize;
        foreach (var block in blocks.OrderBy(b => b.Offset))
        {
            if (block.Offset != end || block.Length < 0)
                return null;
            end += block.Length;
        }
        if (end > idv.Length)
            return null;
        byte[] result = (byte[])idv.Clone();
        long at = HeaderSize;
        foreach (var block in blocks.OrderBy(b => b.Block).ThenBy(b => b.Column))
        {
            idv.AsSpan((int)block.Offset, block.Length).CopyTo(result.AsSpan((int)at));
            BinaryPrimitives.WriteInt64LittleEndian(result.AsSpan(block.Entry), at);
            at += block.Length;
        }
        return result;
    }

    private static ulong Leb128(BinaryReader reader)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = reader.ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new OverflowException("LEB128 value too long");
    }
}

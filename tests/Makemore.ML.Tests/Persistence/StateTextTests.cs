using System.Text;
using Makemore.ML.Persistence;

namespace Makemore.ML.Tests.Persistence;

/// <summary>The 7-bit text form of states (container format 2) and the bulk float reads of payloads.</summary>
[TestClass]
public sealed class StateTextTests
{
    [TestMethod]
    public void EveryLengthRoundTripsInSevenBitCharacters()
    {
        var random = new Random(3);
        for (int length = 0; length <= 64; length++)
        {
            byte[] bytes = new byte[length];
            random.NextBytes(bytes);
            string text = StateText.Encode(bytes);
            Assert.AreEqual(length / 7 * 8 + (length % 7 == 0 ? 0 : length % 7 + 1), text.Length, $"length {length}");
            Assert.IsTrue(text.All(c => c <= 0x7F), $"length {length}");
            CollectionAssert.AreEqual(bytes, StateText.Decode(text), $"length {length}");
            // One UTF-8 byte per character: what ML.NET's text codec stores.
            Assert.AreEqual(text.Length, Encoding.UTF8.GetByteCount(text));
        }
    }

    [TestMethod]
    public void ATextDecodedOverTheCoresInRangesGivesTheSameBytesFromCharactersAndFromUtf8()
    {
        // 3 ranges of 2^20 groups and a tail: the group before each range boundary must not clobber the next range's first byte.
        var random = new Random(4);
        byte[] bytes = new byte[7 * ((2 << 20) + 12_345) + 3];
        random.NextBytes(bytes);
        string text = StateText.Encode(bytes);
        CollectionAssert.AreEqual(bytes, StateText.Decode(text));
        CollectionAssert.AreEqual(bytes, StateText.Decode(Encoding.ASCII.GetBytes(text).AsMemory()));
        char[] damaged = text.ToCharArray();
        damaged[8 << 20] = '\u0080'; // the first character of the second range
        Assert.IsNull(StateText.Decode(new string(damaged)));
    }

    [TestMethod]
    public void APrefixIsWrittenInFrontOfTheSameText()
    {
        var random = new Random(5);
        foreach (int length in new[] { 0, 1, 6, 7, 8, 40, 1000 })
        {
            byte[] bytes = new byte[length];
            random.NextBytes(bytes);
            Assert.AreEqual("MKMC2:" + StateText.Encode(bytes), StateText.Encode(bytes, "MKMC2:"), $"length {length}");
            Assert.AreEqual("MKMC2:" + StateText.Encode(bytes), StateText.Encode(bytes.Concat(new byte[9]).ToArray(), length, "MKMC2:"), $"length {length}, from a longer buffer");
        }
    }

    [TestMethod]
    public void ChunksOfWholeGroupsGiveTheTextOfTheirBytesTogether()
    {
        var random = new Random(6);
        foreach (int length in new[] { 0, 1, 13, 14, 15, 100, 1000 })
        {
            byte[] bytes = new byte[length];
            random.NextBytes(bytes);
            var chunks = bytes.Chunk(14).Select(c => c.Length == 14 ? c : c.Concat(new byte[5]).ToArray()).ToList(); // the last one not full
            Assert.AreEqual(StateText.Encode(bytes, "MKMC2:"), StateText.Encode(chunks, length, "MKMC2:"), $"length {length}");
        }
        Assert.ThrowsExactly<ArgumentException>(() => StateText.Encode([new byte[10], new byte[7]], 17));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StateText.Encode([new byte[7], new byte[7]], 6), "a chunk before the last one not full");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StateText.Encode([new byte[7], new byte[7]], 15));
    }

    [TestMethod]
    public void AStateBufferKeepsWhatIsWrittenAndHashesItsBody()
    {
        var random = new Random(7);
        foreach (int length in new[] { 40, 41, 55, 56, 57, 300 })
        {
            byte[] bytes = new byte[length];
            random.NextBytes(bytes);
            using var buffer = new StateBuffer(chunkSize: 56);
            buffer.Write(bytes.AsSpan(0, 3));
            buffer.WriteByte(bytes[3]);
            buffer.Write(bytes, 4, length - 4);
            Assert.AreEqual(length, buffer.Length);
            Assert.AreEqual(StateText.Encode(bytes, "P:"), buffer.ToText("P:"), $"length {length}");
            System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(40), bytes.AsSpan(8, 32));
            buffer.WriteHash(from: 40, at: 8);
            Assert.AreEqual(StateText.Encode(bytes, "P:"), buffer.ToText("P:"), $"length {length}, hashed");
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new StateBuffer(chunkSize: 50));
    }

    [TestMethod]
    public void OnlyTheCanonicalTextDecodes()
    {
        string text = StateText.Encode([0xFF, 0xFF, 0xFF]); // 3 bytes: 4 characters, the last with 4 unused bits
        Assert.IsNotNull(StateText.Decode(text));
        Assert.IsNull(StateText.Decode(text[..^1] + (char)(text[^1] | 1)), "non-zero unused bits");
        Assert.IsNull(StateText.Decode(text + "\u0000\u0000\u0000\u0000\u0000"), "9 characters: a tail of 1");
        Assert.IsNull(StateText.Decode("\u0080\0\0\0\0\0\0\0"), "a character above U+007F");
        Assert.IsNull(StateText.Decode("\0\0\0\0\0\0\0\u0100"), "a character above U+007F, last in its group");
    }

    [TestMethod]
    public void BulkFloatsHaveTheBytesOfAReadSingleLoop()
    {
        float[] values = [0f, -0f, 1.5f, float.NaN, float.PositiveInfinity, float.Epsilon, -3.25e-7f, float.MaxValue];
        using var bulk = new MemoryStream();
        using (var writer = new BinaryWriter(bulk, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(7);
            StateIO.WriteSingles(writer, values);
            writer.Write(8);
        }
        using var loop = new MemoryStream();
        using (var writer = new BinaryWriter(loop, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(7);
            foreach (float value in values)
                writer.Write(value);
            writer.Write(8);
        }
        CollectionAssert.AreEqual(loop.ToArray(), bulk.ToArray());
        bulk.Position = 0;
        using var reader = new BinaryReader(bulk);
        Assert.AreEqual(7, reader.ReadInt32());
        float[] read = StateIO.ReadSingles(reader, values.Length);
        CollectionAssert.AreEqual(values.Select(BitConverter.SingleToInt32Bits).ToArray(), read.Select(BitConverter.SingleToInt32Bits).ToArray());
        Assert.AreEqual(8, reader.ReadInt32());
        Assert.ThrowsExactly<EndOfStreamException>(() => StateIO.ReadSingles(reader, 1));
        bulk.Position = 0;
        Assert.ThrowsExactly<EndOfStreamException>(() => StateIO.ReadSingles(reader, 1_000_000_000));
    }
}

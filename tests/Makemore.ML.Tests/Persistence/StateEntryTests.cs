using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// <c>ml.Makemore().Load</c> reads a language model's state straight from its zip entry (<see cref="StateEntry"/>) and lets
/// ML.NET load the chain without it; a file it cannot read that way goes to ML.NET whole.
/// </summary>
[TestClass]
public sealed class StateEntryTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [TestMethod]
    public void MakemoreLoadReadsTheStateFromItsEntryAndSavesTheSameBytesAgain()
    {
        var (model, _) = ModelFileTests.Trigram();
        byte[] bytes = ModelFileTests.SavedTrigram();
        var loaded = Ml.Makemore().Load(new MemoryStream(bytes), out var schema);
        var facade = ((TransformerChain<ITransformer>)loaded).OfType<LanguageModelTransformer>().Single();
        Assert.IsTrue(facade.StateReadFromEntry, "the model was parsed from the entry, not from ML.NET's copy");
        Assert.IsFalse(facade.ChainBuilt, "no chain, and so no state string, until one is needed");
        CollectionAssert.AreEqual(ModelFileTests.Scores(model), ModelFileTests.Scores(loaded));

        using var again = new MemoryStream();
        Ml.Makemore().Save(loaded, schema, again);
        CollectionAssert.AreEqual(bytes, again.ToArray(), "the chain built again from the model saves the file it was read from");
        var plain = new MLContext().Model.Load(new MemoryStream(again.ToArray()), out _);
        CollectionAssert.AreEqual(ModelFileTests.Scores(model), ModelFileTests.Scores(plain));
    }

    [TestMethod]
    public void DamageToTheStateInsideItsEntryIsCaughtByTheStateChecksum()
    {
        // Saved by plain Model.Save (no manifest) and zipped again with the damaged entry's CRC-32 right: only the state's
        // own checksum can tell.
        var (model, train) = ModelFileTests.Trigram();
        using var plain = new MemoryStream();
        Ml.Model.Save(model, train.Schema, plain);
        var entries = Entries(plain.ToArray());
        string stateEntry = entries.Keys.Single(n => StateEntry.TopLevelIndex(n) is not null && IsModelState(entries[n]));
        byte[] content = entries[stateEntry];
        int start = content.AsSpan().IndexOf(ModelState.TextPrefixUtf8) + ModelState.TextPrefixUtf8.Length;
        int length = StateEntry.FindText(content).Length - ModelState.TextPrefixUtf8.Length;
        for (int i = 0; i < length; i += Math.Max(1, length / 40))
        {
            byte[] damaged = (byte[])content.Clone();
            damaged[start + i] ^= (byte)(1 << (i % 7)); // stays 7-bit: a different state, not an unreadable one
            entries[stateEntry] = damaged;
            var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(Zip(entries)), out _), $"char {i}");
            StringAssert.Contains(error.Message, "the model:");
        }
    }

    /// <summary>An 8-gram Kneser–Ney pipeline of the bundled names and each one reversed: a state of several megabytes.</summary>
    private static (ITransformer Model, byte[] Bytes) LargeModel()
    {
        var names = TestData.BundledNames().SelectMany(n => new[] { n, new string(n.Reverse().ToArray()) }).ToArray();
        var train = Ml.Data.LoadNames(names);
        var model = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(Ml.Makemore().Trainers.NGram(8, Smoothing.KneserNey())).Fit(train);
        using var stream = new MemoryStream();
        Ml.Makemore().Save(model, train.Schema, stream);
        return (model, stream.ToArray());
    }

    [TestMethod]
    public void ALargeStateIsReadWhileMlNetLoadsTheRestOfTheChainWithTheSameScoresAndBytes()
    {
        var (model, bytes) = LargeModel();
        var entries = Entries(bytes);
        string stateEntry = entries.Keys.Single(n => StateEntry.TopLevelIndex(n) is not null && IsModelState(entries[n]));
        Assert.IsGreaterThanOrEqualTo(1 << 20, entries[stateEntry].Length, "a state large enough to be inflated while ML.NET loads the chain");
        var loaded = Ml.Makemore().Load(new MemoryStream(bytes), out var schema);
        Assert.IsTrue(((TransformerChain<ITransformer>)loaded).OfType<LanguageModelTransformer>().Single().StateReadFromEntry);
        CollectionAssert.AreEqual(ModelFileTests.Scores(model), ModelFileTests.Scores(loaded));
        using var again = new MemoryStream();
        Ml.Makemore().Save(loaded, schema, again);
        CollectionAssert.AreEqual(bytes, again.ToArray());
    }

    [TestMethod]
    public void TheFilesChecksComeBeforeWhatMlNetSaysOfTheChainLoadedBeside()
    {
        // A small entry of ML.NET's replaced (zipped again, its CRC-32 right): ML.NET, loading the chain beside the large
        // state, fails on it; the error is the manifest's, which names the entry.
        var (_, bytes) = LargeModel();
        var entries = Entries(bytes);
        string small = entries.Keys.First(n => n.StartsWith("TransformerChain/", StringComparison.Ordinal) && n.EndsWith("Model.key", StringComparison.Ordinal) && entries[n].Length < 4096);
        entries[small] = "not a model"u8.ToArray();
        var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(Zip(entries)), out _));
        StringAssert.Contains(error.Message, $"entry {small} of the model is missing or differs from its manifest");

        // The large state damaged the same way: its own check speaks, whatever ML.NET did meanwhile.
        entries = Entries(bytes);
        string state = entries.Keys.Single(n => StateEntry.TopLevelIndex(n) is not null && IsModelState(entries[n]));
        entries[state] = entries[state][..^1];
        error = Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(Zip(entries)), out _));
        StringAssert.Contains(error.Message, $"entry {state} of the model is missing or differs from its manifest");
    }

    [TestMethod]
    public void APipelineInsideAnotherChainLoadsThroughMlNetWhole()
    {
        // The façades are then one level down: not where the entry reader looks for them, so ML.NET reads the whole file.
        var (model, train) = ModelFileTests.Trigram();
        var nested = new TransformerChain<ITransformer>(model);
        using var stream = new MemoryStream();
        Ml.Makemore().Save(nested, train.Schema, stream);
        Assert.IsTrue(Entries(stream.ToArray()).Keys.Any(n => n.StartsWith("TransformerChain/Transform_000/Transform_001/", StringComparison.Ordinal)));
        var loaded = Ml.Makemore().Load(new MemoryStream(stream.ToArray()), out _);
        CollectionAssert.AreEqual(ModelFileTests.Scores(model), ModelFileTests.Scores(loaded));
    }

    [TestMethod]
    public void TheTextIsFoundByItsPrefixAndItsTwoLengths()
    {
        foreach (int length in new[] { 7, 127, 128, 300, 16_383, 16_384, 70_000 })
        {
            byte[] text = new byte[length];
            ModelState.TextPrefixUtf8.CopyTo(text, 0);
            for (int i = ModelState.TextPrefixUtf8.Length; i < length; i++)
                text[i] = (byte)(i % 128);
            byte[] entry = Block(length, length, text);
            CollectionAssert.AreEqual(text, StateEntry.FindText(entry).ToArray(), $"length {length}");
            Assert.IsTrue(StateEntry.FindText(Block(length + 1, length, text)).IsEmpty, $"length {length}: boundary and byte length disagree");
            Assert.IsTrue(StateEntry.FindText(Block(length, length, text)[..^7]).IsEmpty, $"length {length}: the text cut short (the 6-byte tail and one byte of it)");
        }
        Assert.IsTrue(StateEntry.FindText("no state here"u8.ToArray()).IsEmpty);
    }

    [TestMethod]
    public void OnlyKeyValuesNestedInATopLevelElementAreReadDirectly()
    {
        Assert.AreEqual(1, StateEntry.TopLevelIndex("TransformerChain/Transform_001/Transform_002/Vocabulary_000/Model.key"));
        Assert.AreEqual(12, StateEntry.TopLevelIndex("TransformerChain/Transform_012/Transform_000/Transform_002/Vocabulary_000/Model.key"));
        Assert.IsNull(StateEntry.TopLevelIndex("TransformerChain/Transform_002/Vocabulary_000/Model.key"), "a hash transformer at the top is no façade's");
        Assert.IsNull(StateEntry.TopLevelIndex("TransformerChain/Transform_001/Transform_002/Vocabulary_001/Model.key"));
        Assert.IsNull(StateEntry.TopLevelIndex("TransformerChain/Transform_001/Transform_002/Model.key"));
        Assert.AreEqual("TransformerChain/Transform_001/Transform_002/Vocabulary_000/Terms.txt",
            StateEntry.ReadableCopyOf("TransformerChain/Transform_001/Transform_002/Vocabulary_000/Model.key"));
    }

    // ML.NET's text block as it ends: some header bytes, the end boundary (int32), the byte length (LEB128), the text, a tail.
    private static byte[] Block(int boundary, int length, byte[] text)
    {
        using var stream = new MemoryStream();
        stream.Write("ML\0MODEL header"u8);
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(int32, boundary);
        stream.Write(int32);
        for (uint v = (uint)length; ; v >>= 7)
        {
            stream.WriteByte((byte)(v < 0x80 ? v : (v & 0x7F) | 0x80));
            if (v < 0x80)
                break;
        }
        stream.Write(text);
        stream.Write("\x01\x02tail"u8);
        return stream.ToArray();
    }

    private static bool IsModelState(byte[] entry) => ModelState.ReadModel(StateEntry.FindText(entry)) is not null;

    private static Dictionary<string, byte[]> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }

    private static byte[] Zip(Dictionary<string, byte[]> entries)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        return output.ToArray();
    }
}

using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// <c>ml.Makemore().Save/Load</c>: atomic, reproducible, sealed files; damaged and foreign files are errors, never other numbers.
/// </summary>
[TestClass]
public sealed class ModelFileTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly string[] Probes = ["anna", "emma", "a", "", "olivia", "ss", "bella"];

    internal static (ITransformer Model, IDataView Train) Trigram()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var model = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(Ml.Makemore().Trainers.NGram(3, Smoothing.KneserNey()))
            .Fit(train);
        return (model, train);
    }

    internal static byte[] SavedTrigram()
    {
        var (model, train) = Trigram();
        using var stream = new MemoryStream();
        Ml.Makemore().Save(model, train.Schema, stream);
        return stream.ToArray();
    }

    /// <summary>Log-likelihoods of <see cref="Probes"/> through the loaded pipeline's own transform (the ML.NET path).</summary>
    internal static double[] Scores(ITransformer model)
    {
        var scored = model.Transform(Ml.Data.LoadNames(Probes.Where(p => p.Length > 0).ToArray()));
        return scored.GetColumn<double>(ScoreColumns.LogLikelihood).ToArray();
    }

    [TestMethod]
    public void SavedFileLoadsWithIdenticalScoresThroughBothLoaders()
    {
        var (model, _) = Trigram();
        byte[] bytes = SavedTrigram();
        var verified = Ml.Makemore().Load(new MemoryStream(bytes), out var schema);
        var plain = new MLContext().Model.Load(new MemoryStream(bytes), out _);
        CollectionAssert.AreEqual(Scores(model), Scores(verified));
        CollectionAssert.AreEqual(Scores(model), Scores(plain));
        Assert.IsNotNull(schema.GetColumnOrNull("Name"));
    }

    [TestMethod(DisplayName = "ml.Makemore().Load writes no temporary file: it loads where ML.NET's temporary folder cannot be created, and the input schema is the saved one")]
    public void MakemoreLoadNeedsNoTemporaryFolder()
    {
        Assert.IsTrue(InMemoryModelLoad.IsAvailable, "ML.NET's in-memory repository reader was not found: loads fall back to temporary files");
        var (model, train) = Trigram();
        byte[] bytes = SavedTrigram();
        string blocked = Path.Combine(Path.GetTempPath(), $"makemore-blocked-{Guid.NewGuid():N}");
        File.WriteAllText(blocked, "a file where ML.NET would create its folder");
        try
        {
            var ml = new MLContext(seed: 1) { TempFilePath = blocked }; // ML.NET's loader would create ml_dotnet_* inside it
            Assert.Throws<IOException>(() => ml.Model.Load(new MemoryStream(bytes), out _), "the public loader needs the temporary folder");
            var loaded = ml.Makemore().Load(new MemoryStream(bytes), out var schema);
            CollectionAssert.AreEqual(Scores(model), Scores(loaded));
            CollectionAssert.AreEqual(train.Schema.Select(c => (c.Name, c.Type.ToString())).ToArray(), schema.Select(c => (c.Name, c.Type.ToString())).ToArray());
        }
        finally
        {
            File.Delete(blocked);
        }
    }

    [TestMethod]
    public void TheSameModelGivesTheSameBytes()
    {
        byte[] first = SavedTrigram(), second = SavedTrigram();
        using var a = new ZipArchive(new MemoryStream(first));
        using var b = new ZipArchive(new MemoryStream(second));
        foreach (var entry in a.Entries)
        {
            using var x = new MemoryStream();
            using var y = new MemoryStream();
            entry.Open().CopyTo(x);
            b.GetEntry(entry.FullName)!.Open().CopyTo(y);
            CollectionAssert.AreEqual(x.ToArray(), y.ToArray(), entry.FullName);
        }
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod(DisplayName = "The chain built from a model's state alone (LanguageModelTransformer.SavedChain, what makemore train saves) saves the fitted pipeline's bytes")]
    public void TheChainOfTheStateAloneSavesTheSameBytes()
    {
        var (model, train) = Trigram();
        var steps = ((IEnumerable<ITransformer>)model).ToArray();
        var (ids, fitted) = (steps[0], (LanguageModelTransformer)steps[^1]);
        using var expected = new MemoryStream();
        Ml.Makemore().Save(new TransformerChain<ITransformer>(ids, fitted), train.Schema, expected);
        string state = ModelState.EncodeModel(fitted.Model, fitted.Metadata);
        var alone = LanguageModelTransformer.SavedChain(Ml, state, "Ids", ids.Transform(train).Schema);
        using var actual = new MemoryStream();
        Ml.Makemore().Save(new TransformerChain<ITransformer>(ids, alone), train.Schema, actual);
        CollectionAssert.AreEqual(expected.ToArray(), actual.ToArray());
    }

    [TestMethod]
    public void FileIsSealedWithAManifestOfEveryEntry()
    {
        using var zip = new ZipArchive(new MemoryStream(SavedTrigram()));
        var manifest = zip.GetEntry(ModelFile.ManifestEntry);
        Assert.IsNotNull(manifest);
        using var reader = new StreamReader(manifest.Open());
        var listed = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[(line.IndexOf(' ') + 1)..]).ToArray();
        CollectionAssert.AreEquivalent(zip.Entries.Select(e => e.FullName).Where(n => n != ModelFile.ManifestEntry).ToArray(), listed);
    }

    [TestMethod]
    public void APlainMlNetSaveStillLoadsAndIsCheckedByItsStateChecksum()
    {
        var (model, train) = Trigram();
        using var stream = new MemoryStream();
        Ml.Model.Save(model, train.Schema, stream);
        var loaded = Ml.Makemore().Load(new MemoryStream(stream.ToArray()), out _);
        CollectionAssert.AreEqual(Scores(model), Scores(loaded));
    }

    [TestMethod]
    public void AForeignMlNetModelIsNotAMakemoreModel()
    {
        var data = Ml.Data.LoadFromEnumerable([new { X = 1f }, new { X = 3f }]);
        var foreign = Ml.Transforms.NormalizeMinMax("X").Fit(data);
        using var stream = new MemoryStream();
        Ml.Model.Save(foreign, data.Schema, stream);
        var error = Assert.ThrowsExactly<NotAMakemoreModelException>(() => Ml.Makemore().Load(new MemoryStream(stream.ToArray()), out _));
        StringAssert.Contains(error.Message, "not a Makemore model");
        Assert.ThrowsExactly<NotAMakemoreModelException>(() => MakemoreModel.GetLanguageModel(foreign));
        Assert.ThrowsExactly<NotAMakemoreModelException>(() => NameScorer.From(foreign));
    }

    [TestMethod]
    [DataRow(0, DisplayName = "empty file")]
    [DataRow(1, DisplayName = "one byte")]
    [DataRow(200, DisplayName = "truncated to 200 bytes")]
    [DataRow(-22, DisplayName = "end-of-central-directory cut off")]
    [DataRow(-1, DisplayName = "last byte cut off")]
    public void TruncatedFilesAreDamaged(int keep)
    {
        byte[] bytes = SavedTrigram();
        byte[] truncated = bytes[..(keep >= 0 ? keep : bytes.Length + keep)];
        var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(truncated), out _));
        StringAssert.StartsWith(error.Message, "The model file is damaged");
    }

    [TestMethod]
    public void TextThatIsNotAZipIsDamagedOrNotAModel()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("emma\nolivia\n");
        Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(bytes), out _));
    }

    private static byte[] StateBytes(string state) => ModelState.ToBytes(state, out _) ?? throw new InvalidDataException("not a state");

    [TestMethod]
    public void EveryChangedByteOfAStateIsCaughtByItsChecksum()
    {
        // The state string a ValueMapping holds; inside a zip it is compressed, so the state is damaged here directly:
        // this is what reaches the model when an entry is damaged past the zip's own checks (e.g. saved without a manifest).
        var model = MakemoreModel.GetLanguageModel(Trigram().Model);
        byte[] state = StateBytes(ModelState.EncodeModel(model));
        for (int i = 0; i < state.Length; i++)
        {
            byte[] damaged = (byte[])state.Clone();
            damaged[i] ^= (byte)(1 << (i % 8));
            var error = Assert.Throws<IOException>(() => ModelState.GetModel(ModelState.ToText(damaged).AsMemory()), $"byte {i}");
            Assert.IsInstanceOfType<ModelFileDamagedException>(error, $"byte {i}: {error.Message}");
        }
        Assert.AreEqual(model.ToString(), ModelState.GetModel(ModelState.ToText(state).AsMemory()).ToString());
    }

    [TestMethod]
    public void EveryChangedCharacterOfAStateStringIsAnError()
    {
        // Damage to the text itself: a character outside 7 bits, a changed one, one cut or added.
        string state = ModelState.EncodeModel(MakemoreModel.GetLanguageModel(Trigram().Model));
        StringAssert.StartsWith(state, ModelState.TextPrefix);
        for (int i = 0; i < state.Length; i++)
        {
            char[] chars = state.ToCharArray();
            chars[i] = (char)(chars[i] ^ (1 << (i % 9))); // bit 7 or 8 leaves the 7-bit range
            Assert.ThrowsExactly<ModelFileDamagedException>(() => ModelState.GetModel(new string(chars).AsMemory()), $"char {i}");
        }
        foreach (string damaged in new[] { state[..^1], state[..^2], state + "\0", state + "A", state[..^8] })
            Assert.ThrowsExactly<ModelFileDamagedException>(() => ModelState.GetModel(damaged.AsMemory()), $"length {damaged.Length} of {state.Length}");
    }

    [TestMethod]
    public void AStateOfAnUnreleasedFormatIsRefusedWithAReason()
    {
        // Container format 1 (the bytes in base64) and 0.1's unchecked "MKMR" were written only by unreleased development versions.
        byte[] state = StateBytes(ModelState.EncodeModel(MakemoreModel.GetLanguageModel(Trigram().Model)));
        BitConverter.GetBytes(1).CopyTo(state, 4);
        foreach (string magic in new[] { "MKMC", "MKMR" })
        {
            System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(state, 0);
            var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => ModelState.GetModel(Convert.ToBase64String(state).AsMemory()), magic);
            StringAssert.Contains(error.Message, "unreleased development version");
            StringAssert.Contains(error.Message, "train it again");
        }
    }

    [TestMethod]
    public void AFormatNumberThatDisagreesWithTheTextFormIsDamage()
    {
        // Format 1 bytes in the 7-bit form of format 2.
        byte[] state = StateBytes(ModelState.EncodeModel(MakemoreModel.GetLanguageModel(Trigram().Model)));
        BitConverter.GetBytes(1).CopyTo(state, 4);
        var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => ModelState.GetModel(ModelState.ToText(state).AsMemory()));
        StringAssert.StartsWith(error.Message, "The model file is damaged");
    }

    [TestMethod]
    public void APayloadOfAnUnreleasedFormatIsRefusedWithAReason()
    {
        // A codec reads only the format it writes (every codec writes format 1): an earlier one is refused, not read.
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelState.Expect("ngram", 0, "ngram", 1));
        StringAssert.Contains(error.Message, "unreleased development version");
        error = Assert.ThrowsExactly<InvalidDataException>(() => ModelState.Expect("ngram", 2, "ngram", 1));
        StringAssert.Contains(error.Message, "Upgrade the library");
    }

    [TestMethod]
    public void AStateFromANewerContainerFormatAsksForAnUpgrade()
    {
        // Newer bytes in today's text form, and a newer text form.
        byte[] state = StateBytes(ModelState.EncodeModel(MakemoreModel.GetLanguageModel(Trigram().Model)));
        BitConverter.GetBytes(3).CopyTo(state, 4); // container format after the magic
        var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => ModelState.GetModel(ModelState.ToText(state).AsMemory()));
        StringAssert.Contains(error.Message, "upgrade the library");
        error = Assert.ThrowsExactly<ModelFileDamagedException>(() => ModelState.GetModel("MKMC3:whatever a later version writes".AsMemory()));
        StringAssert.Contains(error.Message, "container format 3");
        StringAssert.Contains(error.Message, "upgrade the library");
    }

    [TestMethod]
    public void AZipBombIsRefusedWithoutInflatingIt()
    {
        // 64 MB of zeros deflate to ~64 KB; the entry then claims 100 bytes. Reading stops after the bytes it claims
        // (they fail its CRC), so the 64 MB are never inflated.
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry("Schema", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
                stream.Write(zeros);
        }
        byte[] bomb = output.ToArray();
        PatchUncompressedSize(bomb, 100);
        var error = Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(bomb), out _));
        StringAssert.StartsWith(error.Message, "The model file is damaged");
        PatchUncompressedSize(bomb, uint.MaxValue); // and one that admits 4 GB
        Assert.ThrowsExactly<ModelFileDamagedException>(() => Ml.Makemore().Load(new MemoryStream(bomb), out _));
    }

    // Sets the uncompressed size of the only entry in both its local header (offset 22) and central directory (offset 24).
    private static void PatchUncompressedSize(byte[] zip, uint size)
    {
        BitConverter.GetBytes(size).CopyTo(zip, 22);
        for (int i = zip.Length - 22; i >= 0; i--)
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 1 && zip[i + 3] == 2)
            {
                BitConverter.GetBytes(size).CopyTo(zip, i + 24);
                return;
            }
        Assert.Fail("no central directory entry");
    }

    [TestMethod]
    public void AFolderIsNotAModel()
    {
        var error = Assert.ThrowsExactly<NotAMakemoreModelException>(() => Ml.Makemore().Load(Path.GetTempPath(), out _));
        StringAssert.Contains(error.Message, "is a folder");
    }

    [TestMethod]
    public void SaveReplacesTheFileAtomicallyWhileAReaderHasItOpen()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-atomic-").FullName;
        try
        {
            string path = Path.Combine(folder, "m.zip");
            var (model, train) = Trigram();
            Ml.Makemore().Save(model, train.Schema, path);
            byte[] before = File.ReadAllBytes(path);
            using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                var bigram = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(Ml.Makemore().Trainers.NGram(2)).Fit(train);
                Ml.Makemore().Save(bigram, train.Schema, path); // must not fail although the file is open
                using var copy = new MemoryStream();
                reader.CopyTo(copy);
                CollectionAssert.AreEqual(before, copy.ToArray(), "the open reader sees the old file whole");
            }
            Assert.AreEqual(2, ((NGramModel)MakemoreModel.GetLanguageModel(Ml.Makemore().Load(path, out _))).Order);
            CollectionAssert.AreEqual(new[] { "m.zip" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(), "no temporary file is left behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AFailedSaveLeavesTheOldFileIntact()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-atomic-").FullName;
        try
        {
            string path = Path.Combine(folder, "m.txt");
            File.WriteAllText(path, "old");
            Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
            {
                stream.WriteByte(1);
                throw new InvalidOperationException("fails mid-write");
            }));
            Assert.AreEqual("old", File.ReadAllText(path));
            Assert.HasCount(1, Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void EnsureWritableRefusesAFolderAndAnUnwritableFolder()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-writable-").FullName;
        try
        {
            Assert.ThrowsExactly<ArgumentException>(() => AtomicFile.EnsureWritable(folder));
            var slash = Assert.ThrowsExactly<ArgumentException>(() => AtomicFile.EnsureWritable(Path.Combine(folder, "new") + "/"));
            StringAssert.Contains(slash.Message, "is a folder");
            string file = Path.Combine(folder, "names.txt");
            File.WriteAllText(file, "emma\n");
            var under = Assert.ThrowsExactly<UnauthorizedAccessException>(() => AtomicFile.EnsureWritable(Path.Combine(file, "sub", "m.zip")));
            StringAssert.Contains(under.Message, $"{file} is a file, not a folder");
            Assert.HasCount(1, Directory.GetFileSystemEntries(folder), "nothing was created");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        // /proc refuses new files even to root (the tests run as root in CI, where a chmod would not stop a write).
        var error = Assert.ThrowsExactly<UnauthorizedAccessException>(() => AtomicFile.EnsureWritable("/proc/makemore-model.zip"));
        StringAssert.Contains(error.Message, "not writable");
        Assert.DoesNotContain(".probe", error.Message, "the probe file is ours, not the user's");
    }

    [TestMethod]
    public void EnsureWritableCreatesNoFolderAndWriteCreatesItWhenItSaves()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-writable-").FullName;
        try
        {
            string path = Path.Combine(folder, "new", "sub", "m.zip");
            AtomicFile.EnsureWritable(path);
            Assert.IsEmpty(Directory.GetFileSystemEntries(folder), "a run that fails before saving leaves nothing");
            AtomicFile.WriteAllText(path, "model");
            Assert.AreEqual("model", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}


using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;

namespace Makemore.ML.Persistence;

/// <summary>
/// A Makemore model zip: the zip ML.NET's <c>Model.Save</c> writes, made canonical (entries in ML.NET's order, fixed
/// time stamps, data blocks in <see cref="IdvBlockOrder"/>, so the same model gives the same bytes) and sealed with a manifest: the SHA-256 of every entry.
/// Loading verifies every entry's CRC-32, the manifest when there is one, and every Makemore state's own checksum before
/// ML.NET sees the bytes, so a damaged file is an error, never a model that gives other numbers.
/// </summary>
internal static class ModelFile
{
    /// <summary>The manifest entry: one line per other entry, <c>sha256-hex name</c>, in zip order.</summary>
    public const string ManifestEntry = "Makemore/Manifest.sha256";

    // What a zip may claim before it is refused unread: protects against zip bombs.
    private const long MaxTotalBytes = 4L << 30;
    private const int MaxEntries = 100_000;

    // The zip format's earliest date; any fixed instant makes the bytes reproducible.
    private static readonly DateTimeOffset Timestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Saves <paramref name="model"/> canonically and sealed, atomically to <paramref name="path"/>.</summary>
    public static void Save(MLContext ml, ITransformer model, DataViewSchema? inputSchema, string path)
    {
        // ML.NET's zip is made before the file is opened (a failure there leaves nothing); the canonical zip then goes
        // straight into the file (seekable, so the same bytes as into a memory stream), not through a copy in memory.
        using var raw = SaveRaw(ml, model, inputSchema);
        AtomicFile.Write(path, stream => WriteCanonical(raw, stream));
    }

    /// <summary>Saves <paramref name="model"/> canonically and sealed to a stream.</summary>
    public static void Save(MLContext ml, ITransformer model, DataViewSchema? inputSchema, Stream stream) =>
        stream.Write(ToBytes(ml, model, inputSchema));

    private static byte[] ToBytes(MLContext ml, ITransformer model, DataViewSchema? inputSchema)
    {
        using var raw = SaveRaw(ml, model, inputSchema);
        using var output = new MemoryStream();
        WriteCanonical(raw, output);
        return output.ToArray();
    }

    // ML.NET's own zip of the model, positioned at its start.
    private static MemoryStream SaveRaw(MLContext ml, ITransformer model, DataViewSchema? inputSchema)
    {
        var raw = new MemoryStream();
        ml.Model.Save(model, inputSchema, raw);
        raw.Position = 0;
        return raw;
    }

    // The canonical, sealed zip of ML.NET's zip `raw`, written to `output` (seekable: the zip's headers are then the same
    // bytes whatever the stream).
    private static void WriteCanonical(Stream raw, Stream output)
    {
        using var source = new ZipArchive(raw, ZipArchiveMode.Read, leaveOpen: true);
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            var manifest = new StringBuilder();
            foreach (var entry in source.Entries)
            {
                byte[] content = ReadAll(entry);
                if (IsStateTermsCopy(entry.FullName, content))
                    continue;
                if (entry.FullName.EndsWith(".idv", StringComparison.Ordinal))
                    content = IdvBlockOrder.Canonical(content);
                manifest.Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append(' ').Append(entry.FullName).Append('\n');
                Add(target, entry.FullName, content);
            }
            Add(target, ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToString()));
        }
    }

    // A state's hashing transformer writes, beside its stream, a human-readable "Terms.txt" copy of its key values that ML.NET
    // never reads back: for a state that is a second copy of the whole state, so it is left out.
    private static bool IsStateTermsCopy(string name, byte[] content)
    {
        if (!name.EndsWith("/Terms.txt", StringComparison.Ordinal))
            return false;
        ReadOnlySpan<byte> header = "# Number of terms = 1 of length 2"u8;
        var text = content.AsSpan();
        if (!text.StartsWith(header))
            return false;
        int newline = text.IndexOf((byte)'\n');
        if (newline < 0)
            return false;
        var value = text[(newline + 1)..];
        return (value.StartsWith("0\t"u8) || value.StartsWith("1\t"u8)) && value[2..].StartsWith("MKMC"u8);
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, Compresses(content) ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        entry.LastWriteTime = Timestamp;
        using var stream = entry.Open();
        stream.Write(content);
    }

    // Whether deflating an entry is worth it, judged on its first megabyte: it must save at least a fifth, since every
    // load inflates it again (about 2.5 ms a megabyte here, most of a large neural model's load). ML.NET's data files
    // (.idv) deflate their blocks already, and a neural model's state — float32 weights in 7-bit text — deflates only
    // to about 0.86 (the one bit in eight): both are stored. A count model's state (varint gaps and counts) deflates to
    // about 0.55 and is deflated. The sample is deflated at the level the entry would be: at the fastest level .NET's
    // deflate codes literals with fixed codes and saves nothing on such text. The choice depends only on the bytes, so
    // saves stay reproducible.
    private static bool Compresses(byte[] content)
    {
        var sample = content.AsSpan(0, Math.Min(content.Length, 1 << 20));
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(sample);
        return compressed.Length < sample.Length * 0.8;
    }

    /// <summary>Reads, verifies and loads a model file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ModelFileDamagedException">The file is damaged.</exception>
    /// <exception cref="NotAMakemoreModelException">The file is not a Makemore model.</exception>
    public static ITransformer Load(MLContext ml, string path, out DataViewSchema inputSchema)
    {
        if (Directory.Exists(path))
            throw new NotAMakemoreModelException($"{path} is a folder, not a model zip.");
        byte[] bytes = File.ReadAllBytes(path);
        return Load(ml, bytes, path, out inputSchema);
    }

    /// <summary>Reads, verifies and loads a model from a stream (read to its end).</summary>
    public static ITransformer Load(MLContext ml, Stream stream, out DataViewSchema inputSchema)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Load(ml, copy.ToArray(), "the model", out inputSchema);
    }

    private static ITransformer Load(MLContext ml, byte[] bytes, string name, out DataViewSchema inputSchema)
    {
        using var zip = Open(bytes, name, out var entries);
        // A large entry that may hold a language model's state is inflated last; while it is, ML.NET loads the rest of
        // the chain on another core (each of those entries checked against its CRC-32 first). Nothing is returned before
        // every entry and the manifest are checked, and a check's error comes before any of ML.NET's.
        var deferred = entries.Where(e => e.Length >= BackgroundChainBytes && StateEntry.TopLevelIndex(e.FullName) is not null).ToHashSet();
        var contents = new Dictionary<ZipArchiveEntry, byte[]>();
        foreach (var entry in entries.Where(e => !deferred.Contains(e)))
            contents[entry] = ReadChecked(entry, name);
        byte[]? schema = SchemaOf(contents.Select(c => (c.Key.FullName, c.Value))); // never deferred: not a state's entry
        BesideLoad<LoadedChain>? background = null;
        if (deferred.Count > 0 && Environment.ProcessorCount > 1)
        {
            var lean = WithoutStates(contents.Select(c => (c.Key.FullName, c.Value)), deferred.Select(e => e.FullName));
            background = new BesideLoad<LoadedChain>(() => LoadedChain.From(ml, lean, schema));
        }
        List<(string Name, byte[] Content)> all;
        bool sealedByUs;
        Dictionary<int, LoadedFacades.ParsedState> states;
        try
        {
            foreach (var entry in deferred)
                contents[entry] = ReadChecked(entry, name);
            all = [.. entries.Select(e => (e.FullName, contents[e]))];
            sealedByUs = CheckManifest(all, name);
            states = TakeStates(all, name, sealedByUs);
        }
        catch
        {
            background?.Abandon(); // a damaged file's error leaves no load running on the caller's MLContext
            throw;
        }
        var loadedBeside = background?.Join();
        if (states.Count > 0)
        {
            // ML.NET loads the chain without the language models' states, which are parsed already; when the façades
            // that hold them are not all where they were saved, the whole file goes to ML.NET after all. The chain loaded
            // beside the states serves when the states are exactly the entries it left out.
            bool besideFits = loadedBeside is not null && states.Values.Select(s => s.EntryName).ToHashSet(StringComparer.Ordinal).SetEquals(deferred.Select(e => e.FullName));
            var (lean, leanSchema) = besideFits
                ? loadedBeside!.Result(name, sealedByUs)
                : (LoadChain(ml, WithoutStates(all, states.Values.Select(s => s.EntryName)), schema, name, sealedByUs, out var otherSchema), otherSchema);
            var restored = Guarded(name, () => LoadedFacades.Restore(lean, leanSchema, states, Catalogs.Of(ml)));
            if (restored.Complete)
            {
                inputSchema = leanSchema;
                return Checked(restored.Model, name);
            }
        }
        var model = LoadChain(ml, bytes, schema, name, sealedByUs, out var fullSchema);
        inputSchema = fullSchema;
        return Checked(Guarded(name, () => LoadedFacades.Restore(model, fullSchema).Model), name);
    }

    /// <summary>Entries at least this large that may hold a state are inflated while ML.NET loads the rest of the chain.</summary>
    private const long BackgroundChainBytes = 1 << 20;

    private static byte[]? SchemaOf(IEnumerable<(string Name, byte[] Content)> entries) =>
        entries.FirstOrDefault(e => e.Name == InMemoryModelLoad.SchemaEntry).Content;

    // A chain ML.NET loaded on another core, or what it threw: its errors are worded (LoadChain's) once the file's checks
    // have passed and said whether the file is sealed.
    private sealed record LoadedChain(ITransformer? Model, DataViewSchema? Schema, Exception? Error)
    {
        public static LoadedChain From(MLContext ml, byte[] zip, byte[]? schema)
        {
            try
            {
                return new(LoadRaw(ml, zip, schema, out var inputSchema), inputSchema, null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new(null, null, e);
            }
        }

        public (ITransformer Model, DataViewSchema Schema) Result(string name, bool sealedByUs) =>
            Error is null ? (Model!, Schema!) : throw Unloadable(Error, name, sealedByUs);
    }

    private static ITransformer LoadChain(MLContext ml, byte[] zip, byte[]? schema, string name, bool sealedByUs, out DataViewSchema inputSchema)
    {
        try
        {
            return LoadRaw(ml, zip, schema, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Unloadable(e, name, sealedByUs);
        }
    }

    private static ITransformer LoadRaw(MLContext ml, byte[] zip, byte[]? schema, out DataViewSchema inputSchema)
    {
        if (!InMemoryModelLoad.TryLoad(ml, zip, schema, out var model, out inputSchema)) // no temporary files; else ML.NET's own way
            model = ml.Model.Load(new MemoryStream(zip, writable: false), out inputSchema);
        return model;
    }

    private static Exception Unloadable(Exception e, string name, bool sealedByUs)
    {
        string reason = e.Message.Split('\n')[0];
        return sealedByUs
            ? new ModelFileDamagedException($"{name} is intact but ML.NET cannot load it ({reason}); it may come from a newer Makemore.ML.", e)
            : new NotAMakemoreModelException($"{name} is not a Makemore model: ML.NET cannot load it ({reason}).", e);
    }

    // Runs a step of reading the model, naming the file in its errors.
    private static T Guarded<T>(string name, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (NotAMakemoreModelException e)
        {
            throw new NotAMakemoreModelException($"{name} is an ML.NET model but not a Makemore model: it holds no Makemore language model.", e);
        }
        catch (ModelFileDamagedException e)
        {
            throw new ModelFileDamagedException($"{name}: {e.Message}", e);
        }
    }

    // Parse (and so verify the checksums of) the language model and its vocabulary now, not at the first prediction;
    // the façades given back on the way hold the parsed objects.
    private static ITransformer Checked(ITransformer model, string name) => Guarded(name, () =>
    {
        MakemoreModel.GetLanguageModel(model);
        VerifyVocabulary(model);
        return model;
    });

    // The language models whose states sit in the key values of a façade saved at the chain's top level, parsed from the
    // entries' bytes (StateEntry), by the façade's position in the chain. In a sealed file the manifest has checked them.
    private static Dictionary<int, LoadedFacades.ParsedState> TakeStates(List<(string Name, byte[] Content)> entries, string name, bool sealedByUs)
    {
        var states = new Dictionary<int, LoadedFacades.ParsedState>();
        foreach (var (entryName, content) in entries)
        {
            if (StateEntry.TopLevelIndex(entryName) is not { } index || states.ContainsKey(index))
                continue;
            var text = StateEntry.FindText(content);
            if (text.IsEmpty)
                continue;
            if (Guarded(name, () => ModelState.ReadModel(text, entryChecked: sealedByUs)) is { } parsed)
                states[index] = new LoadedFacades.ParsedState(entryName, parsed.Model, parsed.Metadata);
        }
        return states;
    }

    // A zip of the entries but the states' (and their readable copies).
    private static byte[] WithoutStates(IEnumerable<(string Name, byte[] Content)> entries, IEnumerable<string> stateEntries)
    {
        var left = stateEntries.SelectMany(name => new[] { name, StateEntry.ReadableCopyOf(name) }).ToHashSet(StringComparer.Ordinal);
        return Zip(entries.Where(e => !left.Contains(e.Name)));
    }

    // A zip of the entries, stored: ML.NET reads it once, so deflating it again would only cost time.
    private static byte[] Zip(IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (entryName, content) in entries)
            {
                using var stream = zip.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
                stream.Write(content);
            }
        }
        return output.ToArray();
    }

    private static void VerifyVocabulary(ITransformer model)
    {
        try
        {
            MakemoreModel.GetVocabulary(model);
        }
        catch (NotAMakemoreModelException)
        {
            // A language model put in a pipeline without MapCharactersToIds: its vocabulary is inside the model state.
        }
    }

    /// <summary>Opens the zip and reads its directory, refusing one that claims more entries or bytes than any model this version writes.</summary>
    private static ZipArchive Open(byte[] bytes, string name, out IReadOnlyList<ZipArchiveEntry> entries)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileDamagedException($"The model file is damaged: {name} is not a readable zip archive ({e.Message}).", e);
        }
        try
        {
            try
            {
                entries = [.. zip.Entries]; // the central directory is read here
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                throw new ModelFileDamagedException($"The model file is damaged: the zip directory of {name} cannot be read ({e.Message}).", e);
            }
            if (entries.Count > MaxEntries)
                throw new ModelFileDamagedException($"The model file is damaged: {name} claims {entries.Count:N0} entries.");
            long total = 0;
            foreach (var entry in entries)
                total += entry.Length;
            if (total > MaxTotalBytes)
                throw new ModelFileDamagedException($"The model file is damaged: {name} claims {total:N0} bytes uncompressed, more than any model this version writes.");
            return zip;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>One entry, inflated, its size and CRC-32 checked.</summary>
    private static byte[] ReadChecked(ZipArchiveEntry entry, string name)
    {
        byte[] content;
        try
        {
            content = ReadAll(entry);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new ModelFileDamagedException($"The model file is damaged: entry {entry.FullName} of {name} cannot be read ({e.Message}).", e);
        }
        if (content.Length != entry.Length || Crc32.HashToUInt32(content) != entry.Crc32)
            throw new ModelFileDamagedException($"The model file is damaged: the CRC-32 of entry {entry.FullName} of {name} does not match.");
        return content;
    }

    /// <summary>
    /// Checks the manifest, if present, against the SHA-256 of every other entry (in zip order); true when it was there
    /// and matched. An entry name that occurs twice is damage either way.
    /// </summary>
    private static bool CheckManifest(List<(string Name, byte[] Content)> contents, string name)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? manifest = null;
        foreach (var (entryName, content) in contents)
        {
            if (entryName == ManifestEntry)
                manifest = Encoding.UTF8.GetString(content);
            else if (!hashes.TryAdd(entryName, Convert.ToHexStringLower(SHA256.HashData(content))))
                throw new ModelFileDamagedException($"The model file is damaged: {name} has entry {entryName} twice.");
        }
        if (manifest is null)
            return false; // saved by plain mlContext.Model.Save: the states' own checksums still apply
        var listed = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (listed.Length != hashes.Count)
            throw new ModelFileDamagedException($"The model file is damaged: {name} has {hashes.Count} entries but its manifest lists {listed.Length}.");
        foreach (string line in listed)
        {
            int space = line.IndexOf(' ');
            if (space < 0 || !hashes.TryGetValue(line[(space + 1)..], out string? hash) || hash != line[..space])
                throw new ModelFileDamagedException($"The model file is damaged: entry {(space < 0 ? line : line[(space + 1)..])} of {name} is missing or differs from its manifest.");
        }
        return true;
    }

    // Reads one entry whole, refusing more bytes than it declares (a zip bomb that lies about its size).
    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        if (entry.Length > int.MaxValue)
            throw new InvalidDataException($"entry {entry.FullName} claims {entry.Length:N0} bytes");
        using var stream = entry.Open();
        byte[] content = new byte[entry.Length];
        stream.ReadExactly(content);
        if (stream.ReadByte() >= 0)
            throw new InvalidDataException($"entry {entry.FullName} holds more bytes than it declares");
        return content;
    }
}

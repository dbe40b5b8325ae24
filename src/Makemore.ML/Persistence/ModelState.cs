using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Persistence;

/// <summary>
/// The saved form of a model or vocabulary, encoded into one string so it can live in built-in transformers
/// (<see cref="StateChain"/>: a <c>HashingTransformer</c>'s key values) and reach the scoring mapping without a copy per row (see docs/architecture.md, "State per row").
/// Layout of the bytes: magic <c>MKMC</c>, container format (int32), SHA-256 of the body (32 bytes), then the body: kind,
/// format version, metadata (string pairs), payload. The checksum is verified before anything is parsed, so a damaged
/// state is an error (<see cref="ModelFileDamagedException"/>), never a model that gives other numbers.
/// </summary>
/// <remarks>
/// Container format 2 is the text <see cref="TextPrefix"/> followed by the bytes in <see cref="StateText"/>'s 7-bit form.
/// It is the one format read: earlier ones were written only by unreleased development versions and are refused.
/// </remarks>
internal static class ModelState
{
    private const string Magic = "MKMC";
    private const int ContainerFormat = 2;
    /// <summary>What a format-2 state string starts with.</summary>
    internal const string TextPrefix = "MKMC2:";
    /// <summary><see cref="TextPrefix"/> in UTF-8.</summary>
    internal static readonly byte[] TextPrefixUtf8 = Encoding.ASCII.GetBytes(TextPrefix);
    // "MKM" in base64: the start of the states unreleased development versions wrote (container format 1, and "MKMR" with no checksum).
    private const string UnreleasedBase64Prefix = "TUtN";
    private const int HashSize = 32;
    private const int HeaderSize = 4 + 4 + HashSize;

    // Parsed states, keyed by the string instance MapKeyToValue hands out for every row: parse once.
    private static readonly ConditionalWeakTable<string, object> Parsed = new();

    // The metadata of the model states parsed so far, keyed the same way: read with the model, in the same decode.
    private static readonly ConditionalWeakTable<string, IReadOnlyDictionary<string, string>> ParsedMetadata = new();

    /// <summary>
    /// Writes a state: header with checksum, then kind, format version, metadata (how the model was trained and what it
    /// scored) and the payload.
    /// </summary>
    public static string Encode(string kind, int version, Action<BinaryWriter> writePayload, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var bytes = EncodeBytes(kind, version, writePayload, metadata);
        return ToText(bytes);
    }

    /// <summary>
    /// The bytes of a state (header, checksum, body) as <see cref="Encode"/> writes them, in chunks that are never copied:
    /// a caller can let the model go before <see cref="ToText(StateBuffer)"/> makes the string (for an 8-gram count model
    /// of 886k names, 340 MB of levels beside a 66 MB string).
    /// </summary>
    internal static StateBuffer EncodeBytes(string kind, int version, Action<BinaryWriter> writePayload, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var stream = new StateBuffer();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(ContainerFormat);
            writer.Write(new byte[HashSize]); // filled in below, once the body is written
            writer.Write(kind);
            writer.Write(version);
            writer.Write(metadata?.Count ?? 0);
            foreach ((string key, string value) in metadata ?? new Dictionary<string, string>())
            {
                writer.Write(key);
                writer.Write(value);
            }
            writePayload(writer);
        }
        stream.WriteHash(from: HeaderSize, at: 8);
        return stream;
    }

    /// <summary>The state string of the bytes <see cref="EncodeBytes"/> wrote (read in place: no copy of a state of tens of megabytes).</summary>
    internal static string ToText(StateBuffer bytes) => bytes.ToText(TextPrefix);

    /// <summary>The state string of the bytes of a state (header, checksum and body), in the current container format's text form.</summary>
    internal static string ToText(ReadOnlySpan<byte> bytes) => StateText.Encode(bytes, TextPrefix);

    /// <summary>
    /// The bytes a state string holds, unchecked; null when it is not in the current text form (then <paramref name="textFormat"/>
    /// is the container format its text form names, or 0 when it names none).
    /// </summary>
    internal static byte[]? ToBytes(string state, out int textFormat)
    {
        if (state.StartsWith(TextPrefix, StringComparison.Ordinal))
        {
            textFormat = ContainerFormat;
            return StateText.Decode(state, TextPrefix.Length);
        }
        textFormat = state.StartsWith(Magic, StringComparison.Ordinal) && state.AsSpan(0, Math.Min(state.Length, 16)).IndexOf(':') is > 4 and int colon
            && int.TryParse(state.AsSpan(4, colon - 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int other)
            ? other : 0;
        return null;
    }

    /// <summary>The one-line refusal of a format written only by unreleased development versions: <paramref name="what"/> names it.</summary>
    internal static string UnreleasedFormat(string what) =>
        $"The model was written by an unreleased development version of Makemore.ML ({what}); train it again with this version.";

    public static T Decode<T>(string state, Func<string, int, BinaryReader, T> read) => Decode(state, (kind, version, _, reader) => read(kind, version, reader));

    private static T Decode<T>(string state, Func<string, int, IReadOnlyDictionary<string, string>, BinaryReader, T> read)
    {
        byte[] bytes = ToBytes(state, out int textFormat) ?? throw (textFormat > ContainerFormat
            ? Newer(textFormat)
            : textFormat == ContainerFormat ? Damaged("its state is not valid 7-bit text")
            : state.StartsWith(UnreleasedBase64Prefix, StringComparison.Ordinal) ? new ModelFileDamagedException(UnreleasedFormat("a base64 state"))
            : Damaged("its state is not in the Makemore text form"));
        return DecodeBytes(bytes, read);
    }

    // The checks and parse of a state's bytes (header, checksum, body).
    // entryChecked: the bytes come from an entry whose SHA-256 the file's manifest has just confirmed, so the state's own
    // checksum (of the same bytes, written by the same save) is not computed a second time.
    private static T DecodeBytes<T>(byte[] bytes, Func<string, int, IReadOnlyDictionary<string, string>, BinaryReader, T> read, bool entryChecked = false)
    {
        if (bytes.Length < HeaderSize)
            throw Damaged($"its state has {bytes.Length} bytes, fewer than the {HeaderSize}-byte header");
        if (Encoding.ASCII.GetString(bytes, 0, 4) != Magic)
            throw Damaged("its state does not start with the Makemore header");
        int format = BitConverter.ToInt32(bytes, 4);
        if (format > ContainerFormat)
            throw Newer(format);
        if (format != ContainerFormat)
            throw Damaged($"its state claims container format {format} but is written in the text form of format {ContainerFormat}");
        Span<byte> actual = stackalloc byte[HashSize];
        if (!entryChecked && !(SHA256.HashData(bytes.AsSpan(HeaderSize), actual) == HashSize && actual.SequenceEqual(bytes.AsSpan(8, HashSize))))
            throw Damaged("the checksum of its state does not match");
        using var reader = new BinaryReader(new MemoryStream(bytes, HeaderSize, bytes.Length - HeaderSize, writable: false, publiclyVisible: true), Encoding.UTF8);
        try
        {
            string kind = reader.ReadString();
            int version = reader.ReadInt32();
            int count = reader.ReadInt32();
            if (count < 0 || count > 10_000)
                throw Damaged($"its state claims {count} metadata entries");
            var metadata = new Dictionary<string, string>(count);
            for (int i = 0; i < count; i++)
                metadata[reader.ReadString()] = reader.ReadString();
            return read(kind, version, metadata, reader);
        }
        catch (EndOfStreamException e)
        {
            throw Damaged("its state ends early", e);
        }
    }

    private static ModelFileDamagedException Damaged(string what, Exception? inner = null) => new($"The model file is damaged: {what}.", inner);

    private static ModelFileDamagedException Newer(int format) =>
        new($"The model's state has container format {format}, newer than this version of Makemore.ML reads ({ContainerFormat}); upgrade the library.");

    /// <summary>
    /// The language model and metadata of a state given as the UTF-8 bytes of its string, as a saved model's entry holds
    /// it (<see cref="StateEntry"/>): the same checks and parse as <see cref="GetModel"/>, without the string. Null when the
    /// bytes are not a state in the current text form or hold something else than a language model (a vocabulary); such a
    /// state is left to the ordinary route, which reports what it is.
    /// </summary>
    /// <param name="utf8">The state string's bytes.</param>
    /// <param name="entryChecked">True when the file's manifest has confirmed the SHA-256 of the entry these bytes come from:
    /// the state's own checksum is then not computed again (for a 13M-parameter model, 30 ms of a 0.3 s load).</param>
    /// <exception cref="ModelFileDamagedException">The state is damaged.</exception>
    internal static (ILanguageModel Model, IReadOnlyDictionary<string, string> Metadata)? ReadModel(ReadOnlyMemory<byte> utf8, bool entryChecked = false)
    {
        if (!utf8.Span.StartsWith(TextPrefixUtf8) || StateText.Decode(utf8[TextPrefixUtf8.Length..]) is not { } bytes)
            return null;
        return DecodeBytes<(ILanguageModel, IReadOnlyDictionary<string, string>)?>(bytes, (kind, version, metadata, reader) =>
        {
            if (kind == VocabularyKind || ModelCodecs.ForKind(kind) is not { } codec || version > codec.Version || version < codec.OldestReadVersion)
                return null;
            return (codec.Read(reader, version), metadata);
        }, entryChecked);
    }

    /// <summary>The model a state string encodes, parsed once per string instance.</summary>
    public static ILanguageModel GetModel(ReadOnlyMemory<char> state) => (ILanguageModel)GetParsed(state, ReadModel);

    /// <summary>The vocabulary a state string encodes, parsed once per string instance.</summary>
    public static CharacterVocabulary GetVocabulary(ReadOnlyMemory<char> state) => (CharacterVocabulary)GetParsed(state, ReadVocabulary);

    /// <summary>Records that <paramref name="state"/> encodes <paramref name="parsed"/>, so that reading it back hands out that object; returns the state.</summary>
    public static string Remember(string state, object parsed)
    {
        Parsed.AddOrUpdate(state, parsed);
        return state;
    }

    internal static T GetParsed<T>(ReadOnlyMemory<char> state, Func<string, T> parse) where T : class =>
        (T)GetParsed(state, s => (object)parse(s));

    private static object GetParsed(ReadOnlyMemory<char> state, Func<string, object> parse)
    {
        if (MemoryMarshal.TryGetString(state, out string? text, out int start, out int length) && start == 0 && length == text.Length)
            return Parsed.GetValue(text, s => parse(s));
        return parse(state.ToString());
    }

    /// <summary>
    /// The metadata saved with a state. A model state not parsed yet is parsed with it (once per string instance, as
    /// <see cref="GetModel"/> does), so that a caller who reads the metadata and then scores decodes and checks the state
    /// once: for a large count model that is tens of megabytes decoded and hashed.
    /// </summary>
    public static IReadOnlyDictionary<string, string> GetMetadata(string state)
    {
        if (ParsedMetadata.TryGetValue(state, out var known))
            return known;
        bool parsed = Parsed.TryGetValue(state, out _);
        return Decode(state, (kind, version, metadata, reader) =>
        {
            if (!parsed && ModelCodecs.ForKind(kind) is { } codec && version <= codec.Version && version >= codec.OldestReadVersion)
            {
                Parsed.AddOrUpdate(state, codec.Read(reader, version));
                ParsedMetadata.AddOrUpdate(state, metadata);
            }
            return metadata;
        });
    }

    /// <summary>The saved form of a model, through its kind's <see cref="ModelCodec"/>.</summary>
    public static string EncodeModel(ILanguageModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var bytes = EncodeModelBytes(model, metadata);
        return ToText(bytes);
    }

    /// <summary><see cref="EncodeModel"/> without the string: the bytes, for <see cref="ToText(StateBuffer)"/> once the model is let go.</summary>
    internal static StateBuffer EncodeModelBytes(ILanguageModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var codec = ModelCodecs.For(model);
        return EncodeBytes(codec.Kind, codec.Version, writer => codec.Write(model, writer), metadata);
    }

    /// <summary>
    /// <see cref="EncodeModel"/>, remembering the state with the model and its metadata (see <see cref="Remember"/>): a
    /// fitted transformer's chain reads them back in this process without decoding, checking and parsing a copy (for a
    /// large count model, hundreds of megabytes while the fitted one is still held).
    /// </summary>
    public static string EncodeAndRememberModel(ILanguageModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string state = EncodeModel(model, metadata);
        ParsedMetadata.AddOrUpdate(state, metadata ?? new Dictionary<string, string>());
        return Remember(state, model);
    }

    public static string EncodeVocabulary(CharacterVocabulary vocabulary) =>
        Encode(VocabularyKind, 1, vocabulary.Write);

    private const string VocabularyKind = "vocabulary";

    private static object ReadVocabulary(string state) => Decode(state, (kind, version, reader) =>
    {
        Expect(kind, version, VocabularyKind, 1);
        return CharacterVocabulary.Read(reader);
    });

    private static object ReadModel(string state) => Decode<ILanguageModel>(state, (kind, version, metadata, reader) =>
    {
        ParsedMetadata.AddOrUpdate(state, metadata);
        var codec = ModelCodecs.ForKind(kind)
            ?? throw new InvalidDataException($"This model's kind '{kind}' (format {version}) is unknown to this version of Makemore.ML; upgrade the library.");
        Expect(kind, version, codec.Kind, codec.Version, codec.OldestReadVersion);
        return codec.Read(reader, version);
    });

    /// <summary>
    /// Checks a saved payload's kind and format: the format <paramref name="currentVersion"/> this version writes, or one
    /// from <paramref name="oldestVersion"/> (default: the current one alone) on.
    /// </summary>
    public static void Expect(string kind, int version, string expectedKind, int currentVersion, int? oldestVersion = null)
    {
        if (kind != expectedKind)
            throw new InvalidDataException($"Expected a saved '{expectedKind}' but found '{kind}'.");
        if (version > currentVersion)
            throw new InvalidDataException($"Saved '{kind}' has format {version}; this version of Makemore.ML reads format {currentVersion}. Upgrade the library.");
        if (version < (oldestVersion ?? currentVersion))
            throw new InvalidDataException(UnreleasedFormat($"'{kind}' format {version}"));
    }
}

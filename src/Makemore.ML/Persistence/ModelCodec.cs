using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Persistence;

/// <summary>
/// How one kind of model is saved and read back: the kind name written in its state header, the newest payload format
/// it writes, and the code for both directions. Each model kind declares one (a nested <c>Codec</c> class beside the
/// model); <see cref="ModelCodecs"/> finds them all, so adding a kind touches no list or switch.
/// </summary>
public abstract class ModelCodec
{
    /// <summary>The kind name stored in the state header, e.g. <c>ngram</c>; never reused for another layout.</summary>
    public abstract string Kind { get; }

    /// <summary>The payload format this code writes; it reads this one and any from <see cref="OldestReadVersion"/> on.</summary>
    public abstract int Version { get; }

    /// <summary>The oldest payload format this code still reads; by default <see cref="Version"/> alone (earlier ones were never released).</summary>
    public virtual int OldestReadVersion => Version;

    /// <summary>The model class this codec writes.</summary>
    public abstract Type ModelType { get; }

    /// <summary>Writes the model's payload (not the header).</summary>
    public abstract void Write(ILanguageModel model, BinaryWriter writer);

    /// <summary>Reads a payload of format <see cref="Version"/> (already checked).</summary>
    public abstract ILanguageModel Read(BinaryReader reader);

    /// <summary>Reads a payload of format <paramref name="version"/>, from <see cref="OldestReadVersion"/> to <see cref="Version"/> (already checked).</summary>
    public virtual ILanguageModel Read(BinaryReader reader, int version) => Read(reader);
}

/// <summary>A <see cref="ModelCodec"/> for one model class.</summary>
public abstract class ModelCodec<TModel> : ModelCodec
    where TModel : ILanguageModel
{
    /// <inheritdoc/>
    public sealed override Type ModelType => typeof(TModel);

    /// <inheritdoc/>
    public sealed override void Write(ILanguageModel model, BinaryWriter writer) => Write((TModel)model, writer);

    /// <inheritdoc/>
    public sealed override ILanguageModel Read(BinaryReader reader) => ReadModel(reader);

    /// <inheritdoc/>
    public sealed override ILanguageModel Read(BinaryReader reader, int version) => ReadModel(reader, version);

    /// <summary>Writes the payload of <paramref name="model"/>.</summary>
    protected abstract void Write(TModel model, BinaryWriter writer);

    /// <summary>Reads a payload of format <see cref="ModelCodec.Version"/>.</summary>
    protected abstract TModel ReadModel(BinaryReader reader);

    /// <summary>Reads a payload of format <paramref name="version"/>; by default, <see cref="ReadModel(BinaryReader)"/> (the one format read).</summary>
    protected virtual TModel ReadModel(BinaryReader reader, int version) => ReadModel(reader);

    /// <summary>Writes a vocabulary as every built-in model writes its own (the symbols and the unknown-character policy).</summary>
    protected static void WriteVocabulary(BinaryWriter writer, CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        vocabulary.Write(writer);
    }

    /// <summary>Reads a vocabulary written by <see cref="WriteVocabulary"/>.</summary>
    protected static CharacterVocabulary ReadVocabulary(BinaryReader reader) => CharacterVocabulary.Read(reader);

    /// <summary>Writes float32 values, little-endian, without a count (read them back with <see cref="ReadSingles"/>).</summary>
    protected static void WriteSingles(BinaryWriter writer, ReadOnlySpan<float> values) => StateIO.WriteSingles(writer, values);

    /// <summary>Reads <paramref name="count"/> float32 values; a count the state cannot hold is refused before allocating.</summary>
    protected static float[] ReadSingles(BinaryReader reader, long count) => StateIO.ReadSingles(reader, count);
}

/// <summary>
/// Every model kind that can be saved and read: the library's, found once from the codecs in its assembly, and any an
/// application registers with <see cref="Register"/> (a model kind defined outside the library).
/// </summary>
public static class ModelCodecs
{
    private static readonly object Gate = new();

    // Copied on write: readers (every save and load) never lock. Building them throws on a duplicate kind or model type
    // among the library's own codecs: two codecs for one kind are a bug caught at first use.
    private static Index _codecs = Build(typeof(ModelCodec).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(ModelCodec)) && !t.IsAbstract)
        .Select(t => (ModelCodec)Activator.CreateInstance(t, nonPublic: true)!)
        .ToArray());

    /// <summary>The kinds known, for messages and tests.</summary>
    public static IReadOnlyCollection<string> Kinds => Volatile.Read(ref _codecs).ByKind.Keys;

    /// <summary>The codec that writes <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">The model's class has no codec.</exception>
    public static ModelCodec For(ILanguageModel model) =>
        Volatile.Read(ref _codecs).ByType.TryGetValue(model.GetType(), out var codec)
            ? codec
            : throw new NotSupportedException($"Models of type {model.GetType().Name} cannot be saved: no codec is registered for them (known kinds: {string.Join(", ", Kinds)}); register one with ModelCodecs.Register.");

    /// <summary>The codec that reads states of <paramref name="kind"/>, or null.</summary>
    public static ModelCodec? ForKind(string kind) => Volatile.Read(ref _codecs).ByKind.GetValueOrDefault(kind);

    /// <summary>
    /// Adds the codec of a model kind defined outside the library, so that its models save with <c>ml.Makemore().Save</c>
    /// (or <c>ml.Model.Save</c>) and load in any <c>MLContext</c> of this process. Register it before loading such a model.
    /// Registering an equal codec again does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">Another codec already has its kind name or model type.</exception>
    public static void Register(ModelCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentException.ThrowIfNullOrEmpty(codec.Kind);
        lock (Gate)
        {
            var (byKind, byType) = _codecs;
            if (byKind.TryGetValue(codec.Kind, out var existing))
            {
                if (existing.GetType() == codec.GetType())
                    return;
                throw new ArgumentException($"A codec for the kind '{codec.Kind}' is already registered ({existing.GetType().Name}).", nameof(codec));
            }
            if (byType.ContainsKey(codec.ModelType))
                throw new ArgumentException($"A codec for models of type {codec.ModelType.Name} is already registered.", nameof(codec));
            Volatile.Write(ref _codecs, Build([.. byKind.Values, codec]));
        }
    }

    private static Index Build(ModelCodec[] all) =>
        new(all.ToDictionary(c => c.Kind, StringComparer.Ordinal), all.ToDictionary(c => c.ModelType));

    private sealed record Index(Dictionary<string, ModelCodec> ByKind, Dictionary<Type, ModelCodec> ByType);
}

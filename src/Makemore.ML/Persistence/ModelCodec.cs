using Makemore.ML.Inference;

namespace Makemore.ML.Persistence;

/// <summary>
/// How one kind of model is saved and read back: the kind name written in its state header, the newest payload format
/// it writes, and the code for both directions. Each model kind declares one (a nested <c>Codec</c> class beside the
/// model); <see cref="ModelCodecs"/> finds them all, so adding a kind touches no list or switch.
/// </summary>
internal abstract class ModelCodec
{
    /// <summary>The kind name stored in the state header, e.g. <c>ngram</c>; never reused for another layout.</summary>
    public abstract string Kind { get; }

    /// <summary>The payload format this code writes and the only one it reads (earlier ones were never released).</summary>
    public abstract int Version { get; }

    /// <summary>The model class this codec writes.</summary>
    public abstract Type ModelType { get; }

    /// <summary>Writes the model's payload (not the header).</summary>
    public abstract void Write(ILanguageModel model, BinaryWriter writer);

    /// <summary>Reads a payload of format <see cref="Version"/> (already checked).</summary>
    public abstract ILanguageModel Read(BinaryReader reader);
}

/// <summary>A <see cref="ModelCodec"/> for one model class.</summary>
internal abstract class ModelCodec<TModel> : ModelCodec
    where TModel : ILanguageModel
{
    /// <inheritdoc/>
    public sealed override Type ModelType => typeof(TModel);

    /// <inheritdoc/>
    public sealed override void Write(ILanguageModel model, BinaryWriter writer) => Write((TModel)model, writer);

    /// <inheritdoc/>
    public sealed override ILanguageModel Read(BinaryReader reader) => ReadModel(reader);

    /// <summary>Writes the payload of <paramref name="model"/>.</summary>
    protected abstract void Write(TModel model, BinaryWriter writer);

    /// <summary>Reads a payload of format <see cref="ModelCodec.Version"/>.</summary>
    protected abstract TModel ReadModel(BinaryReader reader);
}

/// <summary>Every model kind this version of the library can save and read, found once from the codecs in this assembly.</summary>
internal static class ModelCodecs
{
    private static readonly ModelCodec[] All = typeof(ModelCodec).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(ModelCodec)) && !t.IsAbstract)
        .Select(t => (ModelCodec)Activator.CreateInstance(t, nonPublic: true)!)
        .ToArray();

    // ToDictionary throws on a duplicate kind or model type: two codecs for one kind are a bug caught at first use.
    private static readonly Dictionary<string, ModelCodec> ByKind = All.ToDictionary(c => c.Kind, StringComparer.Ordinal);
    private static readonly Dictionary<Type, ModelCodec> ByType = All.ToDictionary(c => c.ModelType);

    /// <summary>The kinds known, for messages and tests.</summary>
    public static IReadOnlyCollection<string> Kinds => ByKind.Keys;

    /// <summary>The codec that writes <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">The model's class has no codec.</exception>
    public static ModelCodec For(ILanguageModel model) =>
        ByType.TryGetValue(model.GetType(), out var codec)
            ? codec
            : throw new NotSupportedException($"Models of type {model.GetType().Name} cannot be saved by this version of Makemore.ML (known kinds: {string.Join(", ", Kinds)}).");

    /// <summary>The codec that reads states of <paramref name="kind"/>, or null.</summary>
    public static ModelCodec? ForKind(string kind) => ByKind.GetValueOrDefault(kind);
}

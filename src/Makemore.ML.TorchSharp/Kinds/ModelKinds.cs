namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// Every model kind: the library's, in the order of the lectures (counts, the neural n-gram, the MLP family, then
/// makemore.py's sequence models), and any registered by an application. The one list the estimator, the CLI and tools
/// enumerate.
/// </summary>
public static class ModelKinds
{
    private static readonly object Gate = new();
    private static readonly ModelKind[] Library =
    [
        NGramKind.Instance,
        SoftmaxKind.Instance,
        MlpFamilyKind.Mlp, MlpFamilyKind.BatchNormMlp, MlpFamilyKind.WaveNet,
        SequenceKind.Rnn, SequenceKind.Gru, SequenceKind.Lstm, SequenceKind.BagOfWords, SequenceKind.Transformer,
    ];

    private static ModelKind[] _all = Library;

    /// <summary>Every kind, the library's first, then the registered ones in registration order.</summary>
    public static IReadOnlyList<ModelKind> All => Volatile.Read(ref _all);

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static ModelKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>The kind named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No kind has that name; the message lists them.</exception>
    public static ModelKind Get(string name) => Find(name)
        ?? throw new ArgumentException($"Unknown model kind '{name}': use {string.Join(", ", All.Select(k => k.Name))}.", nameof(name));

    /// <summary>The kind that made <paramref name="model"/>, or null (an interpolation, or a kind not registered).</summary>
    public static ModelKind? Of(Inference.ILanguageModel model) => All.FirstOrDefault(k => k.Made(model));

    /// <summary>
    /// Adds a kind defined outside the library, so that the estimator, the CLI and tools offer it. Its model must also be
    /// savable: register its codec with <c>ModelCodecs.Register</c> (Makemore.ML.Persistence).
    /// </summary>
    /// <exception cref="ArgumentException">Another kind of that name is already registered.</exception>
    public static void Register(ModelKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentException.ThrowIfNullOrEmpty(kind.Name);
        lock (Gate)
        {
            if (_all.Contains(kind))
                return; // registering the same kind again (a second test, a second host) changes nothing
            if (_all.Any(k => k.Name == kind.Name))
                throw new ArgumentException($"A model kind named '{kind.Name}' is already registered.", nameof(kind));
            Volatile.Write(ref _all, [.. _all, kind]);
        }
    }

    /// <summary>Removes a kind registered with <see cref="Register"/> (a plug-in unloaded, a test done); the library's own stay.</summary>
    /// <returns>True when the kind was registered and is now removed.</returns>
    public static bool Unregister(ModelKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (Gate)
        {
            if (Library.Contains(kind) || !_all.Contains(kind))
                return false;
            Volatile.Write(ref _all, _all.Where(k => k != kind).ToArray());
            return true;
        }
    }
}

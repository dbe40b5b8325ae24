using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// One kind of model, described once: its name, what it is, its options (a new options object holds its defaults), its
/// settings by flag, and how it trains on id sequences. <see cref="ModelKinds"/> lists them; the estimator
/// (<see cref="LanguageModelEstimator"/>), the CLI (<c>makemore train KIND</c>) and tools enumerate that list and never
/// switch on a kind's name. A kind defined outside the library registers with <see cref="ModelKinds.Register"/>.
/// </summary>
public abstract class ModelKind
{
    /// <summary>The kind's name, as <c>makemore train NAME</c> takes it (makemore.py's <c>--type</c> where it has one).</summary>
    public abstract string Name { get; }

    /// <summary>What the model is and where it comes from, in one paragraph for people.</summary>
    public abstract string Description { get; }

    /// <summary>The kind's own settings (not the training loop's), each by its flag, in the order a help lists them.</summary>
    public abstract IReadOnlyList<KindSetting> Settings { get; }

    /// <summary>A new options object holding the kind's defaults; every default is there and nowhere else.</summary>
    public abstract object CreateOptions();

    /// <summary>
    /// A copy of <paramref name="options"/> that a later change to them does not reach (an estimator holds one, as ML.NET's
    /// estimators are immutable once made). The default copies the options object's members (a shallow copy); a kind whose
    /// options hold other mutable objects overrides it.
    /// </summary>
    public virtual object CopyOptions(object options) => MemberwiseCloneMethod.Invoke(options ?? throw new ArgumentNullException(nameof(options)), null)!;

    private protected static readonly System.Reflection.MethodInfo MemberwiseCloneMethod =
        typeof(object).GetMethod(nameof(MemberwiseClone), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;

    /// <summary>
    /// The training loop's options inside <paramref name="options"/> (steps, batch, learning rate, schedule, optimizer, seed,
    /// evaluation, checkpoints, time limit, progress), or null for a kind that does not train with the loop (counts).
    /// </summary>
    public virtual TrainingOptions? TrainingOf(object options) => null;

    /// <summary>The last training step the options ask for, or null for a kind without steps.</summary>
    public virtual int? StepsOf(object options) => TrainingOf(options)?.Steps;

    /// <summary>Where training reports its steps, and what stops it after the current step (Ctrl+C).</summary>
    public virtual void Observe(object options, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        if (TrainingOf(options) is { } training)
        {
            training.Progress = progress;
            training.CancellationToken = cancellation;
        }
    }

    /// <summary>Makes the options read another ids column, where the kind's options have one (the library's do); otherwise nothing.</summary>
    public virtual void SetIdsColumn(object options, string name)
    {
    }

    /// <summary>The ids column the options read. Default <c>Ids</c>.</summary>
    public virtual string IdsColumnOf(object options) => CharacterIdsEstimator.Defaults.OutputColumnName;

    /// <summary>Whether the kind evaluates on a dev set while it trains (and keeps the best model on it).</summary>
    public virtual bool UsesDev => TrainingOf(CreateOptions()) is not null;

    /// <summary>
    /// Settles what depends on the data before training: e.g. a sequence model's block size is the longest name + 1 of
    /// the whole file (as makemore.py), unless set. <paramref name="longestName"/> is the longest name's length.
    /// </summary>
    public virtual void FitToData(object options, int longestName)
    {
    }

    /// <summary>The longest name the kind can take with <paramref name="options"/>, or null for no limit.</summary>
    public virtual int? LongestName(object options) => null;

    /// <summary>Checks the options and throws what is wrong (an <see cref="ArgumentException"/> naming the option).</summary>
    public virtual void Validate(object options)
    {
    }

    /// <summary>Trains on id sequences (no ML.NET data view).</summary>
    /// <param name="options">An options object of the kind (from <see cref="CreateOptions"/>).</param>
    /// <param name="vocabulary">The characters.</param>
    /// <param name="sequences">Training items as ids.</param>
    /// <param name="dev">Dev items as ids, or null.</param>
    /// <returns>The model, and what its training did.</returns>
    public abstract TrainedModel<ILanguageModel> Train(object options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev);

    /// <summary>True when <paramref name="model"/> is of this kind (to say what a saved model is).</summary>
    public abstract bool Made(ILanguageModel model);

    /// <summary>What smooths the kind's models, to tune on dev; null when it has no one smoothing strength.</summary>
    public virtual SmoothingSweep? Smoothing => null;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A <see cref="ModelKind"/> whose options are a <typeparamref name="TOptions"/>.</summary>
/// <typeparam name="TOptions">The kind's options class.</typeparam>
public abstract class ModelKind<TOptions> : ModelKind where TOptions : class
{
    /// <summary>A new options object holding the kind's defaults.</summary>
    public abstract TOptions NewOptions();

    /// <inheritdoc/>
    public sealed override object CreateOptions() => NewOptions();

    /// <inheritdoc/>
    public sealed override object CopyOptions(object options) => CopyOptions(Cast(options));

    /// <summary>
    /// A copy of the options that later changes to them do not reach; by default a copy of each member (a neural
    /// estimator's options: with its own training options).
    /// </summary>
    protected virtual TOptions CopyOptions(TOptions options) =>
        options is Training.INeuralOptions neural ? (TOptions)neural.Copy() : (TOptions)MemberwiseCloneMethod.Invoke(options, null)!;

    /// <inheritdoc/>
    public sealed override TrainingOptions? TrainingOf(object options) => TrainingOf(Cast(options));

    /// <inheritdoc/>
    public sealed override string IdsColumnOf(object options) => IdsColumnOf(Cast(options));

    /// <inheritdoc/>
    public sealed override void SetIdsColumn(object options, string name) => SetIdsColumn(Cast(options), name);

    /// <inheritdoc/>
    public sealed override void FitToData(object options, int longestName) => FitToData(Cast(options), longestName);

    /// <inheritdoc/>
    public sealed override int? LongestName(object options) => LongestName(Cast(options));

    /// <inheritdoc/>
    public sealed override void Validate(object options) => Validate(Cast(options));

    /// <inheritdoc/>
    public sealed override TrainedModel<ILanguageModel> Train(object options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev) =>
        Train(Cast(options), vocabulary, sequences, dev);

    /// <summary>The training loop's options, or null (by default a neural estimator's options' own).</summary>
    protected virtual TrainingOptions? TrainingOf(TOptions options) => (options as Training.INeuralOptions)?.Training;

    /// <summary>The ids column the options read (by default a neural estimator's options' own, else <c>Ids</c>).</summary>
    protected virtual string IdsColumnOf(TOptions options) =>
        (options as Training.INeuralOptions)?.IdsColumnName ?? CharacterIdsEstimator.Defaults.OutputColumnName;

    /// <summary>Makes the options read another ids column, where they have one (by default a neural estimator's options).</summary>
    protected virtual void SetIdsColumn(TOptions options, string name)
    {
        if (options is Training.INeuralOptions neural)
            neural.IdsColumnName = name;
    }

    /// <summary>Settles what depends on the data.</summary>
    protected virtual void FitToData(TOptions options, int longestName)
    {
    }

    /// <summary>The longest name the kind can take, or null.</summary>
    protected virtual int? LongestName(TOptions options) => null;

    /// <summary>Checks the options (by default a neural estimator's options check themselves).</summary>
    protected virtual void Validate(TOptions options) => (options as Training.INeuralOptions)?.Validate();

    /// <summary>Trains on id sequences.</summary>
    protected abstract TrainedModel<ILanguageModel> Train(TOptions options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev);

    private TOptions Cast(object options) => options as TOptions
        ?? throw new ArgumentException($"A {Name} model takes {typeof(TOptions).Name}, not {options?.GetType().Name ?? "null"}.", nameof(options));
}

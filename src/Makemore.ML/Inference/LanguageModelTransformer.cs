using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Persistence;
using Makemore.ML.Training;

namespace Makemore.ML.Inference;

/// <summary>
/// A trained Makemore model in an ML.NET pipeline: reads an ids column and adds the <see cref="ScoreColumns"/>.
/// Every model type (count or neural) is served by this one transformer; it saves as a plain ML.NET zip.
/// Trainers return the typed <see cref="LanguageModelTransformer{TModel}"/>; this base type serves code that works with any model.
/// </summary>
public abstract class LanguageModelTransformer : FacadeTransformer
{
    private protected LanguageModelTransformer(DirectMapping direct, Func<ITransformer> buildInner, ILanguageModel model, TrainingResult training,
        IReadOnlyDictionary<string, string> metadata)
        : base(direct, buildInner)
    {
        Model = model;
        Training = training;
        Metadata = metadata;
    }

    /// <summary>The metadata its state is saved with (<see cref="MakemoreModel.GetMetadata"/> reads it here, without building the chain).</summary>
    internal IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The trained model (e.g. an <see cref="Counting.NGramModel"/>).</summary>
    public ILanguageModel Model { get; }

    /// <summary>
    /// What the fit that made this transformer did: losses per step, dev evaluations, what stopped it, how long it took.
    /// A transformer built with <c>Create</c> from an already trained model has no steps and zero duration.
    /// </summary>
    public TrainingResult Training { get; }

    /// <summary>Builds the transformer for a model trained or edited outside a pipeline, in <paramref name="mlContext"/>.</summary>
    /// <typeparam name="TModel">The model's type, which the transformer's <see cref="LanguageModelTransformer{TModel}.Model"/> keeps.</typeparam>
    /// <param name="mlContext">The context its inner transforms are made in (its log, seed and cancellation).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="idsColumnName">The input ids column.</param>
    /// <param name="input">The training data: its ids column is scored once more for the <see cref="PlausibilityTable"/>.</param>
    /// <param name="metadata">Saved with the model, e.g. how it was trained and what it scored; read back with <see cref="MakemoreModel.GetMetadata"/>.
    /// The plausibility table of <paramref name="input"/> is added under <see cref="PlausibilityTable.MetadataKey"/> unless the metadata has one.</param>
    public static LanguageModelTransformer<TModel> Create<TModel>(MLContext mlContext, TModel model, string idsColumnName, IDataView input, IReadOnlyDictionary<string, string>? metadata = null)
        where TModel : ILanguageModel =>
        Create(Catalogs.Of(mlContext), model, TrainingResult.WithoutSteps(TimeSpan.Zero), idsColumnName, input, metadata);

    /// <summary>
    /// Builds the transformer a trainer's <c>Fit</c> returns: the model with what its training did. A trainer passes the
    /// training ids it has read as <c>trainingSequences</c>, for the plausibility table; without them they are read again.
    /// </summary>
    internal static LanguageModelTransformer<TModel> Create<TModel>(Catalogs catalogs, TModel model, TrainingResult training, string idsColumnName, IDataView input,
        IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<int[]>? trainingSequences = null)
        where TModel : ILanguageModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        // A copy: what is saved and what GetMetadata hands out stay as they were at Create.
        IReadOnlyDictionary<string, string> withTable = PlausibilityTable.AddTo(metadata, model, () => trainingSequences ?? TrainingData.Read(input, idsColumnName).Sequences).ToDictionary();
        return Build(catalogs, model, training, withTable, idsColumnName, input.Schema);
    }

    // The transformer of a model and the metadata it saves: scores through the direct route, its chain of built-in
    // transformers (which encodes the state) built only when it is needed, fitted on `trainedOn`.
    private static LanguageModelTransformer<TModel> Build<TModel>(Catalogs catalogs, TModel model, TrainingResult training, IReadOnlyDictionary<string, string> metadata,
        string idsColumnName, DataViewSchema trainedOn)
        where TModel : ILanguageModel
    {
        var direct = new ScoreDirectMapping(model, idsColumnName);
        var chain = ChainBuilder(direct, () => Chain(catalogs, ModelState.EncodeAndRememberModel(model, metadata), idsColumnName), trainedOn);
        return new LanguageModelTransformer<TModel>(direct, chain, model, training, metadata);
    }

    /// <summary>
    /// The transformer of a model loaded from its saved state without ML.NET (<see cref="StateEntry"/>): its inner chain is
    /// built again from the model and its metadata when it is first needed (to save, or to go through ML.NET), and the state
    /// it encodes is the one the model was read from (every codec writes back what it reads).
    /// </summary>
    internal static LanguageModelTransformer<ILanguageModel> Restored(Catalogs catalogs, ILanguageModel model, IReadOnlyDictionary<string, string> metadata,
        string idsColumnName, DataViewSchema trainedOn)
    {
        var restored = Build(catalogs, model, TrainingResult.WithoutSteps(TimeSpan.Zero), metadata, idsColumnName, trainedOn);
        restored.StateReadFromEntry = true;
        return restored;
    }

    /// <summary>True when <see cref="Restored"/> made it: the model was read from its zip entry, and ML.NET never held its state.</summary>
    internal bool StateReadFromEntry { get; private set; }

    /// <summary>
    /// The chain of built-in transformers that a transformer of this state saves (its model's <see cref="ModelState.EncodeModel"/>
    /// with the metadata <c>Create</c> saves), fitted on <paramref name="trainedOn"/>, the schema of its input: saved in
    /// its place it gives the same bytes, and a caller done with the model can let it go before ML.NET writes the state
    /// (for an 8-gram count model of 886k names, 340 MB of levels beside ML.NET's half a gigabyte of transient copies of the state).
    /// </summary>
    internal static ITransformer SavedChain(MLContext mlContext, string state, string idsColumnName, DataViewSchema trainedOn) =>
        Chain(Catalogs.Of(mlContext), state, idsColumnName).Fit(new EmptyView(trainedOn));

    /// <summary>The inner estimator chain; with a placeholder state it also answers schema questions.</summary>
    internal static IEstimator<ITransformer> Chain(Catalogs ml, string state, string idsColumnName)
    {
        return StateChain.Estimator(ml,
            copyIn: [(LanguageModelScoreMapping.IdsColumn, idsColumnName)],
            stateColumn: LanguageModelScoreMapping.ModelColumn,
            state: state,
            compute: ml.Transforms.CustomMapping(new LanguageModelScoreMapping().GetMapping(), LanguageModelScoreMapping.ContractName),
            copyOut: [],
            drop: [LanguageModelScoreMapping.IdsColumn, LanguageModelScoreMapping.ModelColumn]);
    }
}

/// <summary>The transformer a trainer returns, with its model typed: <c>trainer.Fit(data).Model</c> needs no cast.</summary>
/// <typeparam name="TModel">The model's type (e.g. <see cref="Counting.NGramModel"/>).</typeparam>
public sealed class LanguageModelTransformer<TModel> : LanguageModelTransformer
    where TModel : ILanguageModel
{
    internal LanguageModelTransformer(DirectMapping direct, Func<ITransformer> buildInner, TModel model, TrainingResult training,
        IReadOnlyDictionary<string, string> metadata)
        : base(direct, buildInner, model, training, metadata) => Model = model;

    /// <summary>The trained model.</summary>
    public new TModel Model { get; }
}

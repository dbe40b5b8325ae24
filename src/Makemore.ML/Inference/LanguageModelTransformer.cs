using Microsoft.ML;
using Makemore.ML.Persistence;

namespace Makemore.ML.Inference;

/// <summary>
/// A trained Makemore model in an ML.NET pipeline: reads an ids column and adds the <see cref="ScoreColumns"/>.
/// Every model type (count or neural) is served by this one transformer; it saves as a plain ML.NET zip.
/// </summary>
public sealed class LanguageModelTransformer : FacadeTransformer
{
    private LanguageModelTransformer(ITransformer inner, ILanguageModel model) : base(inner) => Model = model;

    /// <summary>The trained model (e.g. an <see cref="Counting.NGramModel"/>).</summary>
    public ILanguageModel Model { get; }

    /// <summary>Builds the transformer for a trained model (used by every trainer; also for a model trained or edited outside a pipeline).</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="idsColumnName">The input ids column.</param>
    /// <param name="input">The training data: its ids column is scored once more for the <see cref="PlausibilityTable"/>.</param>
    /// <param name="metadata">Saved with the model, e.g. how it was trained and what it scored; read back with <see cref="MakemoreModel.GetMetadata"/>.
    /// The plausibility table of <paramref name="input"/> is added under <see cref="PlausibilityTable.MetadataKey"/> unless the metadata has one.</param>
    public static LanguageModelTransformer Create(ILanguageModel model, string idsColumnName, IDataView input, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(Chain(ModelState.EncodeModel(model, PlausibilityTable.AddTo(metadata, model, input, idsColumnName)), idsColumnName).Fit(input), model);

    /// <summary>The inner estimator chain; with a placeholder state it also answers schema questions.</summary>
    internal static IEstimator<ITransformer> Chain(string state, string idsColumnName)
    {
        var ml = Catalogs.Of(new MLContext()); // TODO(#10): the trainer's context, once trainers carry it
        return StateChain.Estimator(ml,
            copyIn: [(LanguageModelScoreMapping.IdsColumn, idsColumnName)],
            stateColumn: LanguageModelScoreMapping.ModelColumn,
            state: state,
            compute: ml.Transforms.CustomMapping(new LanguageModelScoreMapping().GetMapping(), LanguageModelScoreMapping.ContractName),
            copyOut: [],
            drop: [LanguageModelScoreMapping.IdsColumn, LanguageModelScoreMapping.ModelColumn]);
    }
}

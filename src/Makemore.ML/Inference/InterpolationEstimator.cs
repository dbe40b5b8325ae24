using System.Diagnostics;
using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Training;

namespace Makemore.ML.Inference;

/// <summary>
/// Fits the weights of an <see cref="InterpolatedModel"/> of already trained models on the data it is given — the dev
/// part, never the data the components were trained on — and returns a transformer that scores with the mixture.
/// </summary>
public sealed class InterpolationEstimator : IEstimator<LanguageModelTransformer<InterpolatedModel>>
{
    private readonly ILanguageModel[] _components;
    private readonly string _idsColumnName;
    private readonly Catalogs _catalogs;

    /// <summary>Creates the estimator; prefer <c>mlContext.Makemore().Trainers.Interpolate(...)</c>.</summary>
    /// <param name="mlContext">The context its transforms are made in.</param>
    /// <param name="components">Two or more trained models over one vocabulary.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public InterpolationEstimator(MLContext mlContext, IReadOnlyList<ILanguageModel> components, string idsColumnName = Text.CharacterIdsEstimator.Defaults.OutputColumnName)
        : this(Catalogs.Of(mlContext), components, idsColumnName)
    {
    }

    internal InterpolationEstimator(Catalogs catalogs, IReadOnlyList<ILanguageModel> components, string idsColumnName = Text.CharacterIdsEstimator.Defaults.OutputColumnName)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(components);
        ArgumentException.ThrowIfNullOrEmpty(idsColumnName);
        if (components.Count < 2)
            throw new ArgumentException("Interpolate at least two models.", nameof(components));
        if (components.Any(c => !c.Vocabulary.Equals(components[0].Vocabulary)))
            throw new ArgumentException("Every model must have the same vocabulary (train them after one MapCharactersToIds).", nameof(components));
        _components = [.. components];
        _idsColumnName = idsColumnName;
    }

    /// <inheritdoc/>
    /// <param name="input">Dev names after <c>MapCharactersToIds</c>.</param>
    /// <returns>The transformer; the fitted weights are its model's <see cref="InterpolatedModel.Weights"/>.</returns>
    public LanguageModelTransformer<InterpolatedModel> Fit(IDataView input)
    {
        var (vocabulary, items) = TrainingData.Read(input, _idsColumnName);
        if (!vocabulary.Equals(_components[0].Vocabulary))
            throw new ArgumentException("The data's vocabulary differs from the models'; map it with the transform the models were trained after.", nameof(input));
        var stopwatch = Stopwatch.StartNew();
        var model = new InterpolatedModel(_components, InterpolatedModel.FitWeights(_components, items));
        return LanguageModelTransformer.Create(_catalogs, model, TrainingResult.WithoutSteps(stopwatch.Elapsed), _idsColumnName, input);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(_catalogs, inputSchema, _idsColumnName);
}

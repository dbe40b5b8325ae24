using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>Features from character models for the rows they were fitted on, without leakage.</summary>
public static class CharacterModelFeatures
{
    /// <summary>
    /// K-fold cross-fitting: splits <paramref name="data"/> into <paramref name="folds"/> parts, fits
    /// <paramref name="estimator"/> (e.g. a pipeline of <c>ScoreWithCharacterModel</c> estimators) on all parts but one and
    /// transforms the one left out, for each part in turn. Every row's features then come from models that never saw it:
    /// fit the downstream trainer on these, and score new data with <c>estimator.Fit(data)</c>, fitted on every row.
    /// The rows come back grouped by part, not in their input order.
    /// </summary>
    /// <param name="mlContext">The context; its seed drives the split unless <paramref name="seed"/> is given.</param>
    /// <param name="estimator">The feature pipeline.</param>
    /// <param name="data">The training rows.</param>
    /// <param name="folds">Parts, at least 2. Default 5.</param>
    /// <param name="seed">Seed of the split, or null for the context's.</param>
    public static IDataView CrossFit(MLContext mlContext, IEstimator<ITransformer> estimator, IDataView data, int folds = 5, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var parts = mlContext.Data.CrossValidationSplit(data, folds, seed: seed)
            .Select(split => estimator.Fit(split.TrainSet).Transform(split.TestSet))
            .ToArray();
        return new AppendedRows(parts);
    }
}

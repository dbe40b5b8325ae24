namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// What every neural estimator's options have (<see cref="MlpEstimator.Options"/>,
/// <see cref="SequenceModelEstimator.Options"/>, <see cref="SoftmaxRegressionEstimator.Options"/>): the ids column, the
/// training loop's options and libtorch's threads, one copy and one check. <see cref="Kinds.ModelKind{TOptions}"/> reads
/// them through this, so a kind whose options implement it needs no accessors of its own. Internal: a public base class
/// would put the three options classes in one hierarchy and lose each one's own defaults in its documentation.
/// </summary>
internal interface INeuralOptions
{
    /// <summary>The ids column written by <c>MapCharactersToIds</c>.</summary>
    string IdsColumnName { get; set; }

    /// <summary>The training loop's options.</summary>
    TrainingOptions Training { get; }

    /// <summary>A copy for an estimator to hold, with its own training options.</summary>
    INeuralOptions Copy();

    /// <summary>Checks the options.</summary>
    void Validate();

    /// <summary>Checks the members every neural options class has.</summary>
    internal static void ValidateShared(string idsColumnName, TrainingOptions? training, int threads)
    {
        ArgumentException.ThrowIfNullOrEmpty(idsColumnName, "IdsColumnName");
        ArgumentNullException.ThrowIfNull(training, "Training");
        if (threads < 1)
            throw new ArgumentOutOfRangeException("Threads", threads, "Threads must be ≥ 1.");
    }
}

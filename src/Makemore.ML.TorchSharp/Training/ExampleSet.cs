using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Examples for <see cref="TrainingLoop"/>, as tensors whose first dimension is the example: inputs, targets and
/// optional weights. The caller keeps ownership of the tensors (and disposes them).
/// </summary>
public sealed class ExampleSet
{
    /// <summary>Wraps the tensors after checking their shapes.</summary>
    /// <param name="inputs">(n, ...) whatever the model's forward takes, e.g. (n, block) int64 contexts.</param>
    /// <param name="targets">(n) int64 next ids, or (n, t) for sequence models; −1 marks a position not predicted.</param>
    /// <param name="weights">(n) float32 per-example weights (event counts), or null for all ones.</param>
    public ExampleSet(Tensor inputs, Tensor targets, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.dim() is not (1 or 2))
            throw new ArgumentException($"The targets must be (n) or (n, t); they are ({string.Join(", ", targets.shape)}).", nameof(targets));
        if (targets.dtype != ScalarType.Int64)
            throw new ArgumentException($"The targets must be int64 ids; they are {targets.dtype}.", nameof(targets));
        long n = targets.shape[0];
        if (n == 0)
            throw new ArgumentException("There are no examples.", nameof(targets));
        if (inputs.dim() < 1 || inputs.shape[0] != n)
            throw new ArgumentException($"The inputs must have one row per target ({n}); their shape is ({string.Join(", ", inputs.shape)}).", nameof(inputs));
        if (weights is not null && (weights.dim() != 1 || weights.shape[0] != n))
            throw new ArgumentException($"The weights must be ({n}); their shape is ({string.Join(", ", weights.shape)}).", nameof(weights));
        Inputs = inputs;
        Targets = targets;
        Weights = weights;
    }

    /// <summary>(n, ...) model inputs.</summary>
    public Tensor Inputs { get; }

    /// <summary>(n) or (n, t) int64 targets.</summary>
    public Tensor Targets { get; }

    /// <summary>(n) float32 per-example weights, or null for all ones.</summary>
    public Tensor? Weights { get; }

    /// <summary>Number of examples, n.</summary>
    public long Count => Targets.shape[0];
}

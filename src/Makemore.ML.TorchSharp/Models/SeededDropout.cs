using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>
/// Inverted dropout whose masks come from a generator the network owns, not from libtorch's global one: the same seed
/// trains the same network whatever else the process draws (TorchSharp's <c>nn.Dropout</c> has no generator argument).
/// Identity in eval mode and at probability 0.
/// </summary>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _probability;
    private readonly Generator _generator;
    // Made once: a Scalar converted from a double on every call is left to the finalizer thread.
    private readonly Scalar _threshold, _scale;

    /// <param name="probability">Chance that an element is zeroed while training, in [0, 1).</param>
    /// <param name="generator">Draws the masks; shared by the network's dropouts, owned by the network.</param>
    public SeededDropout(double probability, Generator generator) : base(nameof(SeededDropout))
    {
        _probability = probability;
        _generator = generator;
        _threshold = probability.ToScalar();
        _scale = (1 / (1 - probability)).ToScalar();
    }

    /// <summary>x · mask / (1 − p) while training, x otherwise; any shape.</summary>
    public override Tensor forward(Tensor x)
    {
        if (!training || _probability == 0)
            return x.alias();
        using var scope = NewDisposeScope();
        using var uniform = rand(x.shape, dtype: x.dtype, device: x.device, generator: _generator); // same shape as x
        var kept = x * uniform.ge(_threshold).to(x.dtype) * _scale;
        return kept.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _threshold.Dispose();
            _scale.Dispose();
        }
        base.Dispose(disposing);
    }
}

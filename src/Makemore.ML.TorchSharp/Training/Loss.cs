using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>The training loss, defined once: mean negative log-likelihood of the targets, plus L2 on the weights.</summary>
public static class Loss
{
    /// <summary>Mean NLL of <paramref name="targets"/> under softmax(<paramref name="logits"/>), via <c>cross_entropy</c> (E05).</summary>
    /// <param name="logits">(batch, V).</param>
    /// <param name="targets">(batch) int64 ids.</param>
    /// <param name="weights">(batch) event counts, or null for all ones; the mean is weighted: Σ w·nll / Σ w.</param>
    /// <returns>A scalar, in nats per predicted character.</returns>
    public static Tensor Nll(Tensor logits, Tensor targets, Tensor? weights = null) => weights is null
        ? F.cross_entropy(logits, targets)
        : (F.cross_entropy(logits, targets, reduction: nn.Reduction.None) * weights).sum() / weights.sum();

    /// <summary>
    /// Mean NLL per predicted character of a batch of sequences (makemore.py's <c>cross_entropy(…, ignore_index=-1)</c>):
    /// positions whose target is −1 are not predicted and count for nothing.
    /// </summary>
    /// <param name="logits">(batch, T, V).</param>
    /// <param name="targets">(batch, T) int64 ids, −1 where nothing is predicted.</param>
    /// <param name="weights">(batch) per-item weights, or null for all ones; the mean is Σ w·nll / Σ w over predicted positions.</param>
    /// <returns>A scalar, in nats per predicted character.</returns>
    public static Tensor SequenceNll(Tensor logits, Tensor targets, Tensor? weights = null)
    {
        var flat = targets.reshape(-1); // (batch·T)
        if (weights is null)
            return F.cross_entropy(logits.reshape(-1, logits.shape[^1]), flat, ignore_index: -1);
        var nll = F.cross_entropy(logits.reshape(-1, logits.shape[^1]), flat, ignore_index: -1, reduction: nn.Reduction.None); // (batch·T), 0 where ignored
        var w = (targets.ge(0).to(nll.dtype) * weights.unsqueeze(1)).reshape(-1); // (batch·T)
        return (nll * w).sum() / w.sum();
    }

    /// <summary>
    /// The same loss written out as the lecture first does: <c>counts = logits.exp(); probs = counts / counts.sum(1, keepdims=True);
    /// loss = -probs[arange(n), ys].log().mean()</c>. Kept to show that <see cref="Nll"/> computes the same number.
    /// </summary>
    public static Tensor HandWrittenNll(Tensor logits, Tensor targets)
    {
        var counts = logits.exp(); // (batch, V)
        var probabilities = counts / counts.sum(1, keepdim: true); // (batch, V)
        return -probabilities[arange(targets.shape[0]), targets].log().mean();
    }

    /// <summary>The lecture's smoothing term, <c>strength · (W²).mean()</c>.</summary>
    public static Tensor L2(Tensor weights, double strength)
    {
        using var scale = strength.ToScalar(); // disposed here, not left to the finalizer thread once per step
        return weights.square().mean().mul(scale);
    }
}

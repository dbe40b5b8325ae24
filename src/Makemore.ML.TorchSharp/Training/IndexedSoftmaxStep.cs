using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// The exact plain-SGD step of a softmax regression whose logits are rows of W (or sums of rows), with the weighted
/// NLL plus <c>l2 · mean(W²)</c>, written out instead of taken from autograd: softmax of the gathered rows, minus 1 at
/// the targets, added back to those rows. What <see cref="TrainableModel.IndexedSoftmaxWithL2"/> offers the loop.
/// </summary>
/// <remarks>
/// The gradient of the mean NLL over a batch of b events is (softmax(logits) − onehot(y)) / b on each event's rows (each
/// event's count over their sum, when weighted); the L2 term's is 2·l2/N·W over all N weights. So
/// <c>W −= lr·grad</c> is: gather the rows (a copy of the old weights); the update starts as <c>−2·lr·l2/N·W</c>, gets
/// <c>index_add_</c> of −lr/b·softmax on the rows and +lr/b at each (row, target), and is added to W once: the same
/// update as autograd's on the old W, in ~10 libtorch calls and no graph. The loss returned is the one autograd would
/// have differentiated, at the old W.
/// </remarks>
internal sealed class IndexedSoftmaxStep
{
    private readonly Tensor _weights; // W's storage without autograd (Python's W.data): updated in place
    private readonly Tensor _flat; // (rows·V) view of the same storage, for Σ W²
    private readonly Func<Tensor, Tensor> _rows;
    private readonly double _l2PerWeight; // l2 / N
    private readonly Scalar _strength; // l2 / N
    private double _learningRate = double.NaN;
    private long _batch;
    private Scalar? _decay, _descent; // −2·lr·l2/N; −lr/b
    private Tensor? _targetStep; // lr/b, a 0-dim tensor broadcast over the (row, target) pairs

    /// <param name="weights">W (rows × V); a parameter of the trained module.</param>
    /// <param name="rows">Inputs → (b) row indices, or (b, k) when the logits are the sum of k rows.</param>
    /// <param name="l2">Strength of <c>l2 · mean(W²)</c>, ≥ 0.</param>
    public IndexedSoftmaxStep(Tensor weights, Func<Tensor, Tensor> rows, double l2)
    {
        _weights = weights.detach().DetachFromDisposeScope();
        _flat = _weights.view(-1).DetachFromDisposeScope();
        _rows = rows;
        _l2PerWeight = l2 / weights.numel();
        _strength = _l2PerWeight.ToScalar();
    }

    /// <summary>One step of <c>W −= learningRate·∇(NLL + l2·mean(W²))</c>; the loss terms at the weights before it.</summary>
    public LossTerms Step(Tensor inputs, Tensor targets, Tensor? weights, double learningRate)
    {
        long b = targets.shape[0];
        var rows = _rows(inputs); // (b) or (b, k)
        long k = rows.dim() == 1 ? 1 : rows.shape[1];
        // Position-major for k > 1: the first b indices are every event's first row, so repeat(k) lines the sources up.
        var flatRows = k == 1 ? rows : rows.t().reshape(-1); // (k·b)
        var logits = _weights.index_select(0, flatRows); // (k·b, V): a copy, taken before W moves
        if (k > 1)
            logits = logits.view(k, b, -1).sum(dim: 0); // (b, V); sum(0) would bind to sum(ScalarType) and add everything
        var logProbabilities = logits.log_softmax(1); // (b, V)

        Tensor nll, targetStep;
        Tensor? share = null;
        if (weights is null)
        {
            nll = F.nll_loss(logProbabilities, targets); // mean
            Prepare(learningRate, b);
            targetStep = _targetStep!;
        }
        else
        {
            share = weights / weights.sum(); // (b): each event's part of the weighted mean
            nll = (F.nll_loss(logProbabilities, targets, reduction: nn.Reduction.None) * share).sum();
            Prepare(learningRate, 1); // the rows are scaled by their shares below, which already divide by Σ w
            using var rate = learningRate.ToScalar();
            targetStep = share.mul(rate); // (b)
        }
        var gradient = logProbabilities.exp_(); // (b, V): softmax(logits), in place
        if (weights is not null)
            gradient.mul_(share!.unsqueeze(1)); // (b, V): each row times its share
        // The update −lr·grad is summed apart from W (as autograd sums W.grad) and added once: rows shared by many events
        // (the full batch) then round at the gradient's scale, not at W's once per event.
        var loss = nll;
        Tensor update;
        if (_l2PerWeight > 0)
        {
            loss = nll.add(_flat.dot(_flat), _strength); // NLL + l2·mean(W²) at the old W
            update = _weights.mul(_decay!); // −lr·2·l2/N·W: the L2 term's part
        }
        else
            update = zeros_like(_weights);
        if (k > 1)
        {
            gradient = gradient.repeat(k, 1); // (k·b, V)
            targets = targets.repeat(k); // (k·b)
            if (targetStep.dim() == 1)
                targetStep = targetStep.repeat(k);
        }
        update.index_add_(0, flatRows, gradient, _descent!); // −lr/b·softmax on each event's rows
        update.index_put_(targetStep, [flatRows, targets], accumulate: true); // +lr/b at (row, target)
        _weights.add_(update);
        return new LossTerms(loss, nll);
    }

    /// <summary>The scalars of a learning rate and batch size, made once and reused while neither changes.</summary>
    private void Prepare(double learningRate, long batch)
    {
        if (learningRate == _learningRate && batch == _batch)
            return;
        _decay?.Dispose();
        _descent?.Dispose();
        _targetStep?.Dispose();
        (_learningRate, _batch) = (learningRate, batch);
        _decay = (-2 * learningRate * _l2PerWeight).ToScalar();
        _descent = (-learningRate / batch).ToScalar();
        _targetStep = tensor((float)(learningRate / batch)).DetachFromDisposeScope();
    }
}

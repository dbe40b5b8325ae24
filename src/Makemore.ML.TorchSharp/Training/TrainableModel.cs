using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>The loss of one batch: what is optimised, and its data part (the NLL) alone.</summary>
/// <param name="Loss">Scalar: the data loss plus any regularisation the model adds (the lecture's L2).</param>
/// <param name="DataLoss">Scalar: the weighted mean NLL per predicted character (<see cref="Training.Loss.Nll"/>); dev evaluation uses it.</param>
public readonly record struct LossTerms(Tensor Loss, Tensor DataLoss)
{
    /// <summary>A loss without regularisation: the data loss is what is optimised.</summary>
    public static LossTerms Of(Tensor nll) => new(nll, nll);
}

/// <summary>Computes the loss of a batch with the model's module.</summary>
/// <param name="inputs">(b, ...) rows of <see cref="ExampleSet.Inputs"/>.</param>
/// <param name="targets">(b) or (b, t) rows of <see cref="ExampleSet.Targets"/>.</param>
/// <param name="weights">(b) rows of <see cref="ExampleSet.Weights"/>, or null.</param>
public delegate LossTerms BatchLoss(Tensor inputs, Tensor targets, Tensor? weights);

/// <summary>
/// What a neural model gives <see cref="TrainingLoop"/>: its module, the loss of a batch, and which parameters get
/// weight decay. Nothing else: batches, optimizer, schedule, evaluation and checkpoints are the loop's.
/// </summary>
public sealed class TrainableModel
{
    /// <summary>Creates the description.</summary>
    /// <param name="module">The module trained; its parameters are optimised, its parameters and buffers checkpointed.</param>
    /// <param name="loss">The loss of a batch; compute the NLL with <see cref="Training.Loss.Nll"/>.</param>
    /// <param name="decayedParameters">Parameters weight decay applies to; null for all of them (makemore.py).</param>
    public TrainableModel(nn.Module module, BatchLoss loss, IEnumerable<Parameter>? decayedParameters = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(loss);
        Module = module;
        Loss = loss;
        var all = module.parameters().ToArray();
        DecayedParameters = decayedParameters?.ToArray() ?? all;
        if (DecayedParameters.Any(p => !all.Any(q => q.Handle == p.Handle)))
            throw new ArgumentException("Every decayed parameter must be a parameter of the module.", nameof(decayedParameters));
    }

    /// <summary>
    /// A module whose forward gives logits, trained on the weighted NLL plus the lecture's <c>l2 · mean(W²)</c> (none when
    /// <paramref name="l2"/> is 0): the softmax regressions' loss.
    /// </summary>
    /// <param name="module">Maps a batch of inputs to (b, classes) logits.</param>
    /// <param name="regularized">The weights the L2 term applies to.</param>
    /// <param name="l2">Strength of the L2 term, ≥ 0.</param>
    public static TrainableModel NllWithL2(nn.Module<Tensor, Tensor> module, Tensor regularized, double l2) =>
        NllWithL2(module, module.call, regularized, l2);

    /// <summary>
    /// <see cref="NllWithL2(nn.Module{Tensor, Tensor}, Tensor, double)"/> with the logits computed by <paramref name="logits"/>
    /// from the examples' inputs: for inputs prepared once before training (e.g. the rows of W that joint contexts select)
    /// rather than on every step.
    /// </summary>
    public static TrainableModel NllWithL2(nn.Module module, Func<Tensor, Tensor> logits, Tensor regularized, double l2) => new(module, (x, y, w) =>
    {
        var nll = Training.Loss.Nll(logits(x), y, w); // (b, classes) logits → scalar
        return new LossTerms(l2 > 0 ? nll + Training.Loss.L2(regularized, l2) : nll, nll);
    });

    /// <summary>The module trained.</summary>
    public nn.Module Module { get; }

    /// <summary>The loss of a batch.</summary>
    public BatchLoss Loss { get; }

    /// <summary>The parameters weight decay applies to.</summary>
    public IReadOnlyList<Parameter> DecayedParameters { get; }
}

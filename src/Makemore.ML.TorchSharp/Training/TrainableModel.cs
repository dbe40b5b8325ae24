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
/// A model's own exact step of plain gradient descent on a batch: moves the parameters in place to what
/// <c>backward()</c> of <see cref="TrainableModel.Loss"/> followed by <c>p −= learningRate·p.grad</c> gives (to float
/// rounding), without building an autograd graph.
/// </summary>
/// <param name="inputs">(b, ...) rows of <see cref="ExampleSet.Inputs"/>.</param>
/// <param name="targets">(b) or (b, t) rows of <see cref="ExampleSet.Targets"/>.</param>
/// <param name="weights">(b) rows of <see cref="ExampleSet.Weights"/>, or null.</param>
/// <param name="learningRate">This step's learning rate.</param>
/// <returns>The batch's loss terms at the parameters before the step: what <see cref="TrainableModel.Loss"/> returns.</returns>
public delegate LossTerms ExactSgdStep(Tensor inputs, Tensor targets, Tensor? weights, double learningRate);

/// <summary>
/// What a neural model gives <see cref="TrainingLoop"/>: its module, the loss of a batch, and which parameters get
/// weight decay; optionally, a hand-written <see cref="ExactSgdStep"/>, which the loop uses in place of backward and the
/// optimizer when the optimizer is plain gradient descent. Batches, optimizer, schedule, evaluation and checkpoints are
/// the loop's.
/// </summary>
public sealed class TrainableModel
{
    /// <summary>Creates the description.</summary>
    /// <param name="module">The module trained; its parameters are optimised, its parameters and buffers checkpointed.</param>
    /// <param name="loss">The loss of a batch; compute the NLL with <see cref="Training.Loss.Nll"/>.</param>
    /// <param name="decayedParameters">Parameters weight decay applies to; null for all of them (makemore.py).</param>
    /// <param name="sgdStep">
    /// The model's own exact plain-SGD step on <paramref name="loss"/>, or null; the loop uses it only for
    /// <see cref="SgdOptions"/> without momentum or weight decay, and every other optimizer goes through autograd.
    /// </param>
    public TrainableModel(nn.Module module, BatchLoss loss, IEnumerable<Parameter>? decayedParameters = null, ExactSgdStep? sgdStep = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(loss);
        Module = module;
        Loss = loss;
        SgdStep = sgdStep;
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

    /// <summary>
    /// A softmax regression whose logits are rows of <paramref name="weights"/> picked by index (or the sum of k rows),
    /// trained on the weighted NLL plus <c>l2 · mean(W²)</c> like <see cref="NllWithL2(nn.Module, Func{Tensor, Tensor}, Tensor, double)"/>,
    /// with a hand-written <see cref="ExactSgdStep"/>: under plain SGD a step is 10 single-kernel libtorch calls instead of a
    /// forward graph, backward and the optimizer.
    /// </summary>
    /// <param name="module">The module trained; <paramref name="weights"/> is its only parameter.</param>
    /// <param name="weights">W (rows × classes).</param>
    /// <param name="rows">Inputs → (b) row indices of W, or (b, k) when the logits are the sum of k rows.</param>
    /// <param name="l2">Strength of the L2 term, ≥ 0.</param>
    public static TrainableModel IndexedSoftmaxWithL2(nn.Module module, Parameter weights, Func<Tensor, Tensor> rows, double l2)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(rows);
        if (!(l2 >= 0) || double.IsInfinity(l2))
            throw new ArgumentOutOfRangeException(nameof(l2), l2, "l2 must be a finite number ≥ 0.");
        if (module.parameters().Count() != 1 || module.parameters().Single().Handle != weights.Handle)
            throw new ArgumentException("The weights must be the module's only parameter.", nameof(weights));
        var step = new IndexedSoftmaxStep(weights, rows, l2);
        var model = NllWithL2(module, x => Models.SoftmaxRegression.RowLogits(weights, rows(x)), weights, l2);
        return new TrainableModel(module, model.Loss, sgdStep: step.Step);
    }

    /// <summary>The module trained.</summary>
    public nn.Module Module { get; }

    /// <summary>
    /// What else decides the run's trajectory beyond <see cref="TrainingOptions"/> (dropout, a distillation teacher's targets), for the
    /// checkpoint fingerprint: a checkpoint is resumed only under the same key. Empty when there is nothing more.
    /// </summary>
    internal string TrajectoryKey { get; init; } = "";

    /// <summary>
    /// The symbols the model predicts over, when known: written into checkpoints, so that resuming with another vocabulary
    /// (other data, or another unknown-character policy) is refused by name rather than as a mismatched tensor shape.
    /// </summary>
    internal int? VocabularySize { get; init; }

    /// <summary>The loss of a batch.</summary>
    public BatchLoss Loss { get; }

    /// <summary>The model's own exact plain-SGD step, or null: the loop then runs backward and the optimizer.</summary>
    public ExactSgdStep? SgdStep { get; }

    /// <summary>The parameters weight decay applies to.</summary>
    public IReadOnlyList<Parameter> DecayedParameters { get; }
}

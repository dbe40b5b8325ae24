using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>The update rule of <see cref="TrainingLoop"/>: <see cref="SgdOptions"/> or <see cref="AdamWOptions"/>.</summary>
public abstract record OptimizerOptions
{
    private protected OptimizerOptions()
    {
    }

    /// <summary>Creates the TorchSharp optimizer: one parameter group with weight decay, one without (empty groups left out).</summary>
    internal abstract OptimizerHelper Create(IReadOnlyList<Parameter> decayed, IReadOnlyList<Parameter> notDecayed, double learningRate);

    /// <summary>Every setting, invariantly formatted, for the checkpoint fingerprint.</summary>
    internal abstract string Describe();

    internal abstract void Validate();

    /// <summary>True when an update is exactly <c>p −= lr·grad</c> (no state, no decay): a model's <see cref="ExactSgdStep"/> may then stand in for backward and the optimizer.</summary>
    internal virtual bool IsPlainGradientDescent => false;

    /// <summary>
    /// One update of <paramref name="parameters"/> from their gradients by <paramref name="optimizer"/> (made by
    /// <see cref="Create"/>) at its groups' learning rate <paramref name="learningRate"/>: <c>optimizer.step()</c>,
    /// or the same numbers without the scalars TorchSharp's steps leave to the finalizer thread.
    /// </summary>
    internal virtual void Update(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, double learningRate) => optimizer.step();

    /// <summary>The parameter groups: (decayed, true) and (not decayed, false), each only if not empty.</summary>
    private protected static IEnumerable<T> Groups<T>(IReadOnlyList<Parameter> decayed, IReadOnlyList<Parameter> notDecayed,
        Func<IReadOnlyList<Parameter>, bool, T> group)
    {
        if (decayed.Count > 0)
            yield return group(decayed, true);
        if (notDecayed.Count > 0)
            yield return group(notDecayed, false);
    }

    private protected static void CheckRange(double value, double low, double high, string name, bool highIncluded = false)
    {
        if (!(value >= low) || !(highIncluded ? value <= high : value < high))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{low}, {high}{(highIncluded ? "]" : ")")}.");
    }
}

/// <summary>Stochastic gradient descent, <c>p -= lr·grad</c> (the lectures'), with optional momentum and weight decay.</summary>
/// <param name="Momentum">Velocity decay (PyTorch's <c>momentum</c>); 0 is plain gradient descent. Default 0.</param>
/// <param name="WeightDecay">PyTorch's coupled decay, <c>grad += WeightDecay·p</c>, on the model's decayed parameters. Default 0.</param>
public sealed record SgdOptions(double Momentum = TrainingOptions.Defaults.Momentum, double WeightDecay = TrainingOptions.Defaults.SgdWeightDecay)
    : OptimizerOptions
{
    internal override OptimizerHelper Create(IReadOnlyList<Parameter> decayed, IReadOnlyList<Parameter> notDecayed, double learningRate) =>
        new SGD(Groups(decayed, notDecayed, (parameters, decay) => new SGD.ParamGroup(parameters, learningRate, Momentum, weight_decay: decay ? WeightDecay : 0)),
            learningRate, Momentum);

    internal override bool IsPlainGradientDescent => Momentum == 0 && WeightDecay == 0;

    /// <summary>
    /// Plain SGD's update is <c>p += (−lr)·p.grad</c>, what <c>SGD.step</c> computes without momentum or decay, with one
    /// scalar made and disposed per step: <c>SGD.step</c> converts −lr to a new <c>Scalar</c> for every parameter and leaves
    /// each to the finalizer thread, which spent as much time finalizing them as the MLP's step took. Otherwise SGD.step.
    /// </summary>
    internal override void Update(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, double learningRate)
    {
        if (!IsPlainGradientDescent)
        {
            optimizer.step();
            return;
        }
        using var noGrad = no_grad();
        using var alpha = (-learningRate).ToScalar();
        foreach (var parameter in parameters)
            if (parameter.grad is { } grad)
                parameter.add_(grad, alpha);
    }

    internal override string Describe() => string.Create(CultureInfo.InvariantCulture, $"sgd(momentum={Momentum:R},wd={WeightDecay:R})");

    internal override void Validate()
    {
        CheckRange(Momentum, 0, 1, nameof(Momentum));
        CheckRange(WeightDecay, 0, double.MaxValue, nameof(WeightDecay), highIncluded: true);
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization", 2019) with makemore.py's settings: betas
/// 0.9/0.99, eps 1e-8, weight decay 0.01 on the model's decayed parameters; TorchSharp's <c>torch.optim.AdamW</c>.
/// </summary>
/// <param name="Beta1">First-moment decay. Default 0.9.</param>
/// <param name="Beta2">Second-moment decay. Default 0.99.</param>
/// <param name="Epsilon">Added to the denominator. Default 1e-8.</param>
/// <param name="WeightDecay">Decoupled decay, <c>p -= lr·WeightDecay·p</c> per step. Default 0.01.</param>
public sealed record AdamWOptions(
    double Beta1 = TrainingOptions.Defaults.Beta1,
    double Beta2 = TrainingOptions.Defaults.Beta2,
    double Epsilon = TrainingOptions.Defaults.Epsilon,
    double WeightDecay = TrainingOptions.Defaults.AdamWWeightDecay) : OptimizerOptions
{
    internal override OptimizerHelper Create(IReadOnlyList<Parameter> decayed, IReadOnlyList<Parameter> notDecayed, double learningRate) =>
        new AdamW(Groups(decayed, notDecayed,
                (parameters, decay) => new AdamW.ParamGroup(parameters, learningRate, Beta1, Beta2, Epsilon, decay ? WeightDecay : 0)),
            learningRate, Beta1, Beta2, Epsilon, WeightDecay);

    /// <summary><see cref="AdamWUpdate"/>: <c>AdamW.step</c>'s numbers, without leaving its scalars to the finalizer thread.</summary>
    internal override void Update(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, double learningRate) =>
        AdamWUpdate.Step((AdamW)optimizer);

    internal override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"adamw(b1={Beta1:R},b2={Beta2:R},eps={Epsilon:R},wd={WeightDecay:R})");

    internal override void Validate()
    {
        CheckRange(Beta1, 0, 1, nameof(Beta1));
        CheckRange(Beta2, 0, 1, nameof(Beta2));
        CheckRange(Epsilon, 0, double.MaxValue, nameof(Epsilon), highIncluded: true);
        CheckRange(WeightDecay, 0, double.MaxValue, nameof(WeightDecay), highIncluded: true);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// TorchSharp's <c>AdamW.step</c>, the same operations in the same order on the optimizer's own state (so its results
/// and checkpoints are bit for bit the same), with every scalar and temporary tensor disposed as it goes.
/// </summary>
/// <remarks>
/// <c>AdamW.step</c> converts each of its seven numbers to a new <c>Scalar</c> for every parameter on every step and
/// never disposes them: in a profile of <c>makemore train --type rnn</c>, the finalizer thread spent as many samples
/// finalizing them (and the tensors they come with) as the training thread spent training.
/// </remarks>
internal static class AdamWUpdate
{
    /// <summary>One step of <paramref name="optimizer"/> on its parameters' current gradients.</summary>
    public static void Step(AdamW optimizer)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var states = optimizer.state_dict().State; // the optimizer's own state objects, in parameter-group order
        int next = 0;
        foreach (AdamW.ParamGroup group in optimizer.ParamGroups)
        {
            var options = group.Options;
            if (options.amsgrad == true || options.maximize == true)
                throw new NotSupportedException("AdamWUpdate writes out AdamW without amsgrad or maximize, which the trainers never set.");
            double lr = options.LearningRate!.Value, beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;
            double weightDecay = options.weight_decay!.Value, eps = options.eps!.Value;
            using Scalar decay = (1 - lr * weightDecay).ToScalar(), keep1 = beta1.ToScalar(), add1 = (1 - beta1).ToScalar();
            using Scalar keep2 = beta2.ToScalar(), add2 = (1 - beta2).ToScalar(), epsilon = eps.ToScalar();
            foreach (var parameter in group.Parameters)
            {
                var state = (AdamW.State)states[next++];
                var grad = parameter.grad;
                if (grad is null)
                    continue;
                state.step += 1;
                parameter.mul_(decay); // ×1 when there is no decay, as AdamW.step does
                double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
                state.exp_avg.mul_(keep1).add_(grad, add1);
                state.exp_avg_sq.mul_(keep2).addcmul_(grad, grad, add2);
                using Scalar root = Math.Sqrt(correction2).ToScalar(), stepSize = (-(lr / correction1)).ToScalar();
                var denominator = state.exp_avg_sq.sqrt().div_(root).add_(epsilon);
                parameter.addcdiv_(state.exp_avg, denominator, stepSize);
            }
        }
    }
}

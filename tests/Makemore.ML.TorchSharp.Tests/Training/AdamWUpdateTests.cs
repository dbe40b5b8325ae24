using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// The loop's AdamW update (<c>AdamWUpdate</c>) against TorchSharp's <c>AdamW.step</c>: two copies of a GRU, the same
/// gradients, one optimizer stepped by each. Parameters and optimizer state must stay equal bit for bit, with weight
/// decay on some parameters and not on others, through learning-rate changes.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AdamWUpdateTests
{
    [TestMethod]
    public void TheUpdateIsAdamWStepBitForBit()
    {
        using var scope = NewDisposeScope();
        var ours = Network();
        var theirs = Network();
        var options = new AdamWOptions(WeightDecay: 0.1);
        using var ourOptimizer = (AdamW)Optimizer(options, ours);
        using var theirOptimizer = (AdamW)Optimizer(options, theirs);
        using var data = new Generator(7);
        var initial = Values(ours);
        for (int step = 1; step <= 12; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = randint(27, [8, 6], generator: data); // (b, T)
            var y = randint(27, [8, 6], generator: data); // (b, T)
            foreach (var (network, optimizer) in new[] { (ours, ourOptimizer), (theirs, theirOptimizer) })
            {
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = step <= 6 ? 1e-2 : 3e-3;
                optimizer.zero_grad();
                Loss.SequenceNll(network.Forward(x), y).backward();
            }
            AdamWUpdate.Step(ourOptimizer);
            theirOptimizer.step();
        }
        var final = Values(ours);
        CollectionAssert.AreNotEqual(initial, final, "the parameters moved");
        CollectionAssert.AreEqual(Values(theirs), final, "parameters");
        var ourStates = ourOptimizer.state_dict().State.Cast<AdamW.State>().ToArray();
        var theirStates = theirOptimizer.state_dict().State.Cast<AdamW.State>().ToArray();
        for (int i = 0; i < ourStates.Length; i++)
        {
            Assert.AreEqual(theirStates[i].step, ourStates[i].step);
            CollectionAssert.AreEqual(theirStates[i].exp_avg.data<float>().ToArray(), ourStates[i].exp_avg.data<float>().ToArray(), $"exp_avg {i}");
            CollectionAssert.AreEqual(theirStates[i].exp_avg_sq.data<float>().ToArray(), ourStates[i].exp_avg_sq.data<float>().ToArray(), $"exp_avg_sq {i}");
        }
    }

    private static ISequenceNetwork Network()
    {
        using var generator = new Generator(2147483647);
        return SequenceNetworks.Create(new SequenceModelEstimator.Options { Kind = SequenceModelKind.Gru, EmbeddingSize = 8, HiddenSize = 12 }, 27, 6, generator);
    }

    // Decay on the network's decayed parameters, none on the rest: the two groups the loop makes.
    private static OptimizerHelper Optimizer(Makemore.ML.TorchSharp.Training.OptimizerOptions options, ISequenceNetwork network)
    {
        var all = network.Module.parameters().ToArray();
        var decayed = network.DecayedParameters().ToArray();
        return options.Create(decayed, all.Where(p => !decayed.Any(d => d.Handle == p.Handle)).ToArray(), 1e-2);
    }

    private static float[] Values(ISequenceNetwork network) =>
        network.Module.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
}

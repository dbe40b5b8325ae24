using Makemore.ML.Data;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// The MLP family's hand-written SGD step (<c>MlpSgdStep</c>, what <see cref="MlpEstimator"/> trains with) against
/// autograd followed by <c>p −= lr·grad</c>: the same losses and, after several steps, the same parameters and batch-norm
/// running statistics to float rounding, for every kind, deeper networks, weighted and unweighted examples.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class MlpSgdStepTests
{
    private const int Steps = 8;
    private static readonly Lazy<IReadOnlyList<string>> Names = new(() => NameList.Read(TestData.BundledNamesPath).Take(400).ToList());

    [TestMethod]
    [DataRow(MlpKind.Mlp, 3, null, false, 32)]
    [DataRow(MlpKind.Mlp, 3, 3, true, 32)]
    [DataRow(MlpKind.BatchNormMlp, 3, null, false, 32)]
    [DataRow(MlpKind.BatchNormMlp, 1, 2, true, null)]
    [DataRow(MlpKind.WaveNet, 8, null, false, 32)]
    [DataRow(MlpKind.WaveNet, 4, null, true, 7)]
    public void TheStepMovesEveryParameterAsAutogradDoes(MlpKind kind, int block, int? hiddenLayers, bool deduplicated, int? batchSize)
    {
        var exact = Train(kind, block, hiddenLayers, deduplicated, batchSize, handWritten: true);
        var autograd = Train(kind, block, hiddenLayers, deduplicated, batchSize, handWritten: false);
        for (int i = 0; i < Steps; i++)
            Assert.AreEqual(autograd.Losses[i], exact.Losses[i], 2e-5 * autograd.Losses[i], $"{kind}: loss at step {i + 1}: {string.Join(" ", autograd.Losses)} vs {string.Join(" ", exact.Losses)}");
        Assert.AreEqual(autograd.State.Count, exact.State.Count);
        foreach (var (key, expected) in autograd.State)
        {
            var actual = exact.State[key];
            double scale = Math.Max(1e-3, expected.Max(Math.Abs));
            double largest = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            double moved = expected.Zip(autograd.Initial[key], (a, b) => Math.Abs(a - b)).Max();
            Assert.IsLessThan(1e-4 * scale, largest, $"{kind}: {key} differs by {largest:E2} (largest |value| {scale:E2})");
            if (!key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                Assert.IsGreaterThan(100 * largest, moved, $"{kind}: {key} moved ({moved:E2}) far more than the two runs differ");
            else
                Assert.AreEqual(autograd.Initial[key][0] + Steps, actual[0], $"{kind}: every step counts its batch");
        }
        Assert.IsFalse(exact.HasGradient, "the hand-written step builds no graph (no parameter gets a .grad)");
    }

    [TestMethod]
    public void ANetworkWhoseBatchNormAveragesCumulativelyIsLeftToAutograd()
    {
        using var generator = new Generator(1);
        using var network = new MlpNetwork(MlpKind.BatchNormMlp, 27, 3, 4, 8, generator);
        Assert.IsNotNull(MlpSgdStep.For(network));
        network.levels[0].bn!.momentum = null;
        Assert.IsNull(MlpSgdStep.For(network));
    }

    private sealed record Run(List<double> Losses, Dictionary<string, float[]> State, Dictionary<string, float[]> Initial, bool HasGradient);

    private static Run Train(MlpKind kind, int block, int? hiddenLayers, bool deduplicated, int? batchSize, bool handWritten)
    {
        using var scope = NewDisposeScope();
        var vocabulary = CharacterVocabulary.Learn(Names.Value);
        var examples = TrainingExamples.Build(Names.Value.Select(n => vocabulary.Encode(n)), block);
        if (deduplicated)
            examples = examples.Deduplicate(); // weights are counts: the weighted mean
        using var generator = new Generator(2147483647);
        using var network = new MlpNetwork(kind, vocabulary.Size, block, 5, 16, generator, hiddenLayers);
        var initial = Snapshot(network);
        var set = new ExampleSet(tensor(examples.Contexts, [examples.Count, block]), tensor(examples.Targets),
            deduplicated ? tensor(examples.Weights) : null);
        using var step = handWritten ? MlpSgdStep.For(network) : null;
        var model = new TrainableModel(network, (x, y, w) => LossTerms.Of(Loss.Nll(network.call(x), y, w)), network.DecayedParameters(), step is null ? null : step.Step);
        var options = new TrainingOptions
        {
            Steps = Steps,
            BatchSize = batchSize,
            LearningRate = 0.1, // the lectures' rate: eight steps move every parameter far beyond rounding
            Optimizer = new SgdOptions(),
            Seed = 42,
            EvaluationInterval = int.MaxValue,
        };
        var result = TrainingLoop.Run(model, set, options);
        bool hasGradient = network.parameters().Any(p => p.grad is not null);
        return new Run(result.History.Select(p => p.Loss).ToList(), Snapshot(network), initial, hasGradient);
    }

    private static Dictionary<string, float[]> Snapshot(MlpNetwork network) => network.state_dict().ToDictionary(
        e => e.Key, e => e.Value.dtype == ScalarType.Int64 ? [(float)e.Value.item<long>()] : e.Value.detach().clone().data<float>().ToArray());
}

using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// The softmax regression's hand-written SGD step (<see cref="TrainableModel.IndexedSoftmaxWithL2"/>) against autograd on
/// the same loss: the same weights and loss history after several steps, for every way the estimator uses it.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ExactSgdStepTests
{
    private const int Steps = 6;

    private static readonly Lazy<List<string>> Names = new(() => NameList.Read(TestData.BundledNamesPath).Take(300).ToList());

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Trains a fresh module (same seed every time) on the first 300 bundled names; its weights and history.</summary>
    private static (float[] Weights, IReadOnlyList<Makemore.ML.Training.TrainingProgress> History, bool HasGradient) Train(
        int block, ContextEncoding context, double l2, int? batchSize, bool exact, SgdOptions? optimizer = null,
        int steps = Steps, Action<TrainingOptions>? configure = null)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);
        using var scope = NewDisposeScope();
        var vocabulary = CharacterVocabulary.Learn(Names.Value);
        var examples = TrainingExamples.Build(Names.Value.Select(n => vocabulary.Encode(n)), block);
        bool weighted = batchSize is null;
        if (weighted)
            examples = examples.Deduplicate(); // the estimator's full batch: distinct events weighted by their counts
        using var generator = new Generator(2147483647);
        using var module = new SoftmaxRegression(vocabulary.Size, block, context, InputEncoding.Embedding, generator);
        var contexts = tensor(examples.Contexts, [examples.Count, block]); // (n, block)
        bool rowsOnce = context == ContextEncoding.Joint;
        var inputs = rowsOnce ? module.JointRows(contexts) : contexts; // (n) rows or (n, block) contexts, as the estimator
        var indexed = TrainableModel.IndexedSoftmaxWithL2(module, module.W, rowsOnce ? r => r : module.ContextRows, l2);
        var model = exact ? indexed : new TrainableModel(module, indexed.Loss); // the same loss, through autograd
        var options = new TrainingOptions
        {
            Steps = steps,
            BatchSize = batchSize,
            LearningRate = 10,
            Optimizer = optimizer ?? new SgdOptions(),
            Seed = 42,
        };
        configure?.Invoke(options);
        var result = TrainingLoop.Run(model, new ExampleSet(inputs, tensor(examples.Targets), weighted ? tensor(examples.Weights) : null), options);
        return (module.W.detach().data<float>().ToArray(), result.History, module.W.grad is not null);
    }

    [TestMethod]
    [DataRow(1, ContextEncoding.Joint, 0.01, 32)]
    [DataRow(1, ContextEncoding.Joint, 0.0, 32)]
    [DataRow(2, ContextEncoding.Joint, 0.01, 32)]
    [DataRow(2, ContextEncoding.Joint, 0.0, 32)]
    [DataRow(2, ContextEncoding.PerPosition, 0.01, 32)]
    [DataRow(3, ContextEncoding.PerPosition, 0.0, 32)]
    [DataRow(1, ContextEncoding.Joint, 0.01, null)]
    [DataRow(2, ContextEncoding.Joint, 0.01, null)]
    [DataRow(2, ContextEncoding.Joint, 0.0, null)]
    [DataRow(2, ContextEncoding.PerPosition, 0.01, null)]
    public void HandWrittenStepEqualsAutograd(int block, ContextEncoding context, double l2, int? batchSize)
    {
        var exact = Train(block, context, l2, batchSize, exact: true);
        var autograd = Train(block, context, l2, batchSize, exact: false);
        Assert.IsFalse(exact.HasGradient, "the hand-written step builds no graph (W.grad never set)");
        Assert.IsTrue(autograd.HasGradient, "the comparison went through backward");

        // Float rounding only (|W| reaches ~4 here: an ulp is 2.4e-7–4.8e-7), where a wrong L2 or target term is off by ≥ 1e-5.
        double largest = exact.Weights.Zip(autograd.Weights, (a, b) => Math.Abs(a - b)).Max();
        double moved = exact.Weights.Zip(Initial(block, context), (a, b) => Math.Abs(a - b)).Max();
        TestContext.WriteLine($"largest weight difference {largest:E2} after {Steps} steps (largest move {moved:F3})");
        Assert.IsGreaterThan(0.1, moved, "the steps moved the weights");
        Assert.IsLessThanOrEqualTo(1e-6, largest, "weights after the steps");
        Assert.HasCount(Steps, exact.History);
        for (int i = 0; i < Steps; i++)
        {
            Assert.AreEqual(autograd.History[i].Loss, exact.History[i].Loss, 1e-6, $"loss at step {i + 1}");
            Assert.AreEqual(autograd.History[i].DataLoss, exact.History[i].DataLoss, 1e-6, $"data loss at step {i + 1}");
        }
    }

    [TestMethod]
    public void MomentumGoesThroughAutograd()
    {
        // The hand-written step is plain gradient descent: with momentum the loop must not use it.
        var momentum = new SgdOptions(Momentum: 0.9);
        var offered = Train(1, ContextEncoding.Joint, 0.01, 32, exact: true, momentum);
        var autograd = Train(1, ContextEncoding.Joint, 0.01, 32, exact: false, momentum);
        Assert.IsTrue(offered.HasGradient, "backward ran");
        CollectionAssert.AreEqual(autograd.Weights, offered.Weights);
    }

    [TestMethod]
    public void ResumingACheckpointKeepsSteppingTheLoadedWeights()
    {
        // The step updates W's storage through an alias made once: loading a checkpoint must land in that storage.
        string folder = Directory.CreateTempSubdirectory("makemore-exact-resume-").FullName;
        try
        {
            string path = Path.Combine(folder, "run.ckpt");
            var straight = Train(2, ContextEncoding.Joint, 0.01, 32, exact: true, steps: 2 * Steps);
            Train(2, ContextEncoding.Joint, 0.01, 32, exact: true, steps: Steps, configure: o => o.CheckpointPath = path);
            var resumed = Train(2, ContextEncoding.Joint, 0.01, 32, exact: true, steps: 2 * Steps, configure: o => o.ResumeFrom = path);
            Assert.HasCount(Steps, resumed.History, "steps 7–12 only");
            CollectionAssert.AreEqual(straight.Weights, resumed.Weights);
            Assert.AreEqual(straight.History[^1].Loss, resumed.History[^1].Loss);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static float[] Initial(int block, ContextEncoding context)
    {
        using var generator = new Generator(2147483647);
        int v = CharacterVocabulary.Learn(Names.Value).Size;
        using var module = new SoftmaxRegression(v, block, context, InputEncoding.Embedding, generator);
        return module.W.detach().data<float>().ToArray();
    }
}

using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Training;



[TestClass]
[DoNotParallelize]
public sealed class SoftmaxRegressionTests
{
    private static readonly string[] Names = TestData.Tiny.Concat(["emily", "harper", "evelyn", "abigail", "zoe", "quinn", "jack", "wyatt"]).ToArray();

    private static (CharacterVocabulary Vocabulary, List<int[]> Sequences) Encode()
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        return (vocabulary, Names.Select(n => vocabulary.Encode(n)).ToList());
    }

    private static IReadOnlyList<TrainingProgress> Curve(SoftmaxRegressionEstimator.Options options)
    {
        var (vocabulary, sequences) = Encode();
        return new SoftmaxRegressionEstimator(new MLContext(), options).Train(vocabulary, sequences).Training.History;
    }

    [TestMethod]
    [DataRow(1, ContextEncoding.Joint)]
    [DataRow(2, ContextEncoding.Joint)]
    [DataRow(3, ContextEncoding.PerPosition)]
    public void OneHotAndEmbeddingGiveTheSameLossCurve(int block, ContextEncoding context)
    {
        // E04: indexing rows of W is the one-hot matmul without the one-hot matrix.
        var oneHot = Curve(new() { BlockSize = block, Context = context, Encoding = InputEncoding.OneHot, Training = { Steps = 60, LearningRate = 10 } });
        var embedding = Curve(new() { BlockSize = block, Context = context, Encoding = InputEncoding.Embedding, Training = { Steps = 60, LearningRate = 10 } });
        for (int i = 0; i < oneHot.Count; i++)
            Assert.AreEqual(oneHot[i].Loss, embedding[i].Loss, 1e-4, $"step {i + 1}");
        Assert.IsLessThan(oneHot[0].Loss, oneHot[^1].Loss, "the loss goes down");
    }

    [TestMethod]
    public void DeduplicatedFullBatchGivesTheLecturesLossCurve()
    {
        var deduplicated = Curve(new() { BlockSize = 2, Training = { Steps = 40, LearningRate = 10 } });
        var everyEvent = Curve(new() { BlockSize = 2, DeduplicateFullBatch = false, Training = { Steps = 40, LearningRate = 10 } });
        for (int i = 0; i < everyEvent.Count; i++)
            Assert.AreEqual(everyEvent[i].Loss, deduplicated[i].Loss, 1e-4, $"step {i + 1}");
    }

    [TestMethod]
    public void CrossEntropyEqualsTheHandWrittenSoftmax()
    {
        // E05: F.cross_entropy computes the lecture's counts.exp() / sum, -log p[y], mean.
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var generator = new Generator(2147483647);
        var logits = randn(50, 27, generator: generator) * 3; // (50, 27)
        var targets = randint(27, [50], generator: generator); // (50)
        Assert.AreEqual(Loss.HandWrittenNll(logits, targets).item<float>(), Loss.Nll(logits, targets).item<float>(), 1e-5);
        var ones = ones_like(targets, dtype: float32);
        Assert.AreEqual(Loss.Nll(logits, targets).item<float>(), Loss.Nll(logits, targets, ones).item<float>(), 1e-6);
    }

    [TestMethod]
    [DataRow(1, ContextEncoding.Joint)]
    [DataRow(3, ContextEncoding.Joint)]
    [DataRow(4, ContextEncoding.PerPosition)]
    public void CSharpInferenceEqualsTheTorchSharpForward(int block, ContextEncoding context)
    {
        TorchRuntime.EnsureLoaded();
        var vocabulary = CharacterVocabulary.Learn(Names);
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        using var module = new SoftmaxRegression(vocabulary.Size, block, context, InputEncoding.Embedding, generator);
        var model = module.ToModel(vocabulary);
        var random = new Random(3);
        var contexts = new long[100 * block];
        for (int i = 0; i < contexts.Length; i++)
            contexts[i] = random.Next(vocabulary.Size);
        var probabilities = nn.functional.softmax(module.call(tensor(contexts, [100, block])), 1).data<float>().ToArray(); // (100, V)
        var p = new double[vocabulary.Size];
        for (int row = 0; row < 100; row++)
        {
            model.GetNextProbabilities(contexts.AsSpan(row * block, block).ToArray().Select(x => (int)x).ToArray(), p);
            for (int c = 0; c < p.Length; c++)
                Assert.AreEqual(probabilities[row * p.Length + c], p[c], 1e-5);
        }
    }

    [TestMethod]
    public void WarmStartContinuesWhereTrainingStopped()
    {
        var (vocabulary, sequences) = Encode();
        var first = new SoftmaxRegressionEstimator(new MLContext(), new() { Training = { Steps = 30, LearningRate = 10 } });
        var model = first.Train(vocabulary, sequences).Model;
        using (var module = SoftmaxRegression.FromModel(model))
            Assert.IsTrue(module.ToModel(vocabulary).Weights.SequenceEqual(model.Weights), "module ↔ model round trip");
        var second = new SoftmaxRegressionEstimator(new MLContext(), new() { InitialModel = model, Training = { Steps = 30, LearningRate = 10 } });
        var secondHalf = second.Train(vocabulary, sequences).Training;
        var straight = new SoftmaxRegressionEstimator(new MLContext(), new() { Training = { Steps = 60, LearningRate = 10 } });
        var whole = straight.Train(vocabulary, sequences).Training;
        Assert.AreEqual(whole.History[59].Loss, secondHalf.History[29].Loss, 1e-4, "30 + 30 steps = 60 steps");
    }

    [TestMethod]
    public void MiniBatchTrainingIsSeededAndLearns()
    {
        var a = Curve(new() { Training = { BatchSize = 16, Steps = 200, LearningRate = 5, Seed = 3 } });
        var b = Curve(new() { Training = { BatchSize = 16, Steps = 200, LearningRate = 5, Seed = 3 } });
        CollectionAssert.AreEqual(a.Select(p => p.Loss).ToList(), b.Select(p => p.Loss).ToList());
        Assert.IsLessThan(a.Take(10).Average(p => p.Loss), a.TakeLast(10).Average(p => p.Loss));
    }

    [TestMethod]
    public void ThreadCountIsApplied()
    {
        var (vocabulary, sequences) = Encode();
        new SoftmaxRegressionEstimator(new MLContext(), new() { Threads = 2, Training = { Steps = 1 } }).Train(vocabulary, sequences);
        Assert.AreEqual(2, get_num_threads());
        new SoftmaxRegressionEstimator(new MLContext(), new() { Training = { Steps = 1 } }).Train(vocabulary, sequences);
        Assert.AreEqual(1, get_num_threads());
    }

    [TestMethod]
    public void PipelineSavesLoadsAndScoresBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadNames(Names);
        var pipeline = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.SoftmaxRegression(blockSize: 2, steps: 50, learningRate: 10));
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var before = ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
        var after = new MLContext().Model.CreatePredictionEngine<NameInput, NameScore>(loaded);
        foreach (string name in Names)
            Assert.AreEqual(before.Predict(new() { Name = name }).LogLikelihood, after.Predict(new() { Name = name }).LogLikelihood, 0.0, name);
        Assert.IsInstanceOfType<SoftmaxRegressionModel>(MakemoreModel.GetLanguageModel(loaded));
        var metrics = ml.Makemore().Evaluate(loaded.Transform(data));
        Assert.IsLessThan(Math.Log(27), metrics.NllPerCharacter);
    }

    [TestMethod]
    public void BadOptionsAreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SoftmaxRegressionEstimator(new MLContext(), new() { BlockSize = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SoftmaxRegressionEstimator(new MLContext(), new() { Training = { LearningRate = 0 } }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SoftmaxRegressionEstimator(new MLContext(), new() { L2 = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SoftmaxRegressionEstimator(new MLContext(), new() { Training = { BatchSize = 0 } }));
        var (vocabulary, sequences) = Encode();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SoftmaxRegressionEstimator(new MLContext(), new() { BlockSize = 6 }).Train(vocabulary, sequences));
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;
using Makemore.ML.Counting;
using Makemore.ML.Evaluation;
using Makemore.ML.Tests;
using Makemore.ML.TorchSharp.Classification;

namespace Makemore.ML.TorchSharp.Tests.Classification;

/// <summary>
/// <see cref="SoftmaxRegressionTrainer.Solver.Lbfgs"/>: full-batch L-BFGS, orthant-wise with an L1 term, on the CSR rows.
/// It must reach the optimum of the loss it states (the count model's NLL without regularisation; the L1 optimality
/// conditions with it), and on sparse text features match ML.NET's <c>LbfgsMaximumEntropy</c>, which minimises the same
/// loss at its defaults.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SoftmaxRegressionLbfgsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void WithoutRegularisationItReachesTheCountBigramsNll()
    {
        // The unsmoothed count bigram is the in-sample optimum of softmax regression on one-hot bigram contexts.
        var ml = new MLContext(seed: 1);
        var names = ml.Data.LoadNames(TestData.BundledNamesPath);
        var events = ml.Data.ExpandCharacterEvents(names);
        var scored = ml.Transforms.Categorical.OneHotEncoding("Features", "Context")
            .Append(ml.MulticlassClassification.Trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { Solver = SoftmaxRegressionTrainer.Solver.Lbfgs }))
            .Fit(events).Transform(events);
        double nll = ml.MulticlassClassification.Evaluate(scored).LogLoss;
        var counts = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2, Smoothing.AddK(0))).Fit(names);
        double countNll = ml.Makemore().Evaluate(counts.Transform(names)).NllPerCharacter;
        TestContext.WriteLine($"L-BFGS {nll:F6}, count bigram {countNll:F6}");
        Assert.AreEqual(countNll, nll, 1e-4, "converged to the in-sample optimum");
        Assert.IsGreaterThanOrEqualTo(countNll - 1e-5, nll, "no model beats the in-sample optimum");
    }

    [TestMethod]
    public void WithL1TheSolutionMeetsTheOptimalityConditions()
    {
        // At the minimum of f(θ) + c · Σ|W|: every non-zero weight has ∂f/∂w = −c · sign(w), every zero weight |∂f/∂w| ≤ c,
        // and every bias ∂f/∂b = 0. Checked on the trainer's own objective and solver, run to convergence.
        var ml = new MLContext(seed: 1);
        var view = SparseProblem.Create(ml, repeatEveryFifth: false);
        var data = SoftmaxRegressionData.Read(view, view.Schema["Features"], view.Schema["Label"], null);
        var objective = new SoftmaxRegressionObjective(data, l2: 0.5);
        var theta = new float[objective.Length];
        const double c = 0.01;
        var (iterations, _) = new OrthantWiseLbfgs(historySize: 10, tolerance: 0, maxIterations: 500).Minimize(objective.Evaluate, theta, (int)objective.WeightCount, c);
        var gradient = new float[objective.Length];
        objective.Evaluate(theta, gradient);

        int zeros = 0;
        double worst = 0;
        for (int i = 0; i < objective.WeightCount; i++)
        {
            double violation = theta[i] == 0 ? Math.Max(0, Math.Abs(gradient[i]) - c) : Math.Abs(gradient[i] + c * Math.Sign(theta[i]));
            worst = Math.Max(worst, violation);
            zeros += theta[i] == 0 ? 1 : 0;
        }
        for (long i = objective.WeightCount; i < objective.Length; i++)
            worst = Math.Max(worst, Math.Abs(gradient[i]));
        TestContext.WriteLine($"{iterations} iterations, {zeros} of {objective.WeightCount} weights exactly 0, largest violation {worst:E2}");
        Assert.IsLessThan(1e-4, worst, "the L1 optimality conditions hold to 1 % of c");
        Assert.IsGreaterThan(objective.WeightCount / 10, zeros, "L1 sets weights to exactly zero");
        Assert.IsLessThan(objective.WeightCount, zeros, "but not all of them");
    }

    [TestMethod]
    public void WithoutL1ItReachesTheSameLossAsAdamW()
    {
        // L2 only: the loss is strictly convex, so AdamW run long and L-BFGS must end at the same minimum (AdamW a little above it).
        var ml = new MLContext(seed: 1);
        var view = SparseProblem.Create(ml, repeatEveryFifth: false);
        var data = SoftmaxRegressionData.Read(view, view.Schema["Features"], view.Schema["Label"], null);
        var objective = new SoftmaxRegressionObjective(data, l2: 0.5);
        var adam = ml.MulticlassClassification.Trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { L2 = 0.5, Steps = 3000 }).Fit(view);
        var lbfgs = ml.MulticlassClassification.Trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { L2 = 0.5, Solver = SoftmaxRegressionTrainer.Solver.Lbfgs }).Fit(view);
        double adamLoss = objective.Evaluate(Theta(adam, data), new float[objective.Length]);
        double lbfgsLoss = objective.Evaluate(Theta(lbfgs, data), new float[objective.Length]);
        TestContext.WriteLine($"loss: AdamW {adamLoss:F7}, L-BFGS {lbfgsLoss:F7}");
        Assert.AreEqual(adamLoss, lbfgsLoss, 1e-4, "the same minimum");
        Assert.IsLessThanOrEqualTo(adamLoss + 1e-7, lbfgsLoss, "L-BFGS converged at least as far as 3,000 AdamW steps (1.0249033 against 1.0248902 when written)");
    }

    [TestMethod]
    public void OnSparseTextItsHeldOutAccuracyMatchesLbfgsMaximumEntropy()
    {
        // The benchmark's task (docs/benchmarks.md, "Sparse text features") made small: 4,000 names, each without its last
        // letter, featurized by FeaturizeText (word unigrams, character 1- to 5-grams), predict that letter; 80 % train,
        // 20 % held out. Ours minimises LbfgsMaximumEntropy's default loss (L1 = 1, L2 = 1 on the summed NLL), written in
        // our units; the two held-out micro-accuracies must agree to 0.01 (about 8 of the ~800 held-out rows).
        var ml = new MLContext(seed: 0);
        var rows = TestData.BundledNames().Where(n => n.Length >= 2).Take(4000).Select(n => new NameRow { Prefix = n[..^1], LastLetter = n[^1..] }).ToList();
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.2, seed: 0);
        var featurizer = ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
            {
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 1 },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 5, UseAllLengths = true },
            }, "Prefix")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LastLetter"))
            .Fit(split.TrainSet);
        var train = ml.Data.Cache(featurizer.Transform(split.TrainSet));
        var test = featurizer.Transform(split.TestSet);

        // ML.NET's loss is (Σ NLL + L2/2 · ΣW²)/n + L1/n · Σ|W| (LbfgsTrainerBase: the sum scaled by 1/WeightSum, OWL-QN's L1
        // weight divided by the row count); ours is mean NLL + L2 · mean(W²) + L1 · mean(|W|), means over the K · D weights.
        int d = ((VectorDataViewType)train.Schema["Features"].Type).Size, k = (int)((KeyDataViewType)train.Schema["Label"].Type).Count;
        long n = train.GetColumn<uint>("Label").LongCount();
        var options = new SoftmaxRegressionTrainer.Options
        {
            Solver = SoftmaxRegressionTrainer.Solver.Lbfgs, L2 = 1.0 * k * d / (2.0 * n), L1 = 1.0 * k * d / n,
        };
        var ours = ml.MulticlassClassification.Trainers.SoftmaxRegression(options).Fit(train);
        var theirs = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1 }).Fit(train);
        double oursAccuracy = ml.MulticlassClassification.Evaluate(ours.Transform(test)).MicroAccuracy;
        double theirAccuracy = ml.MulticlassClassification.Evaluate(theirs.Transform(test)).MicroAccuracy;
        TestContext.WriteLine($"{((VectorDataViewType)train.Schema["Features"].Type).Size:N0} slots; held-out micro-accuracy: ours {oursAccuracy:F4}, LbfgsMaximumEntropy {theirAccuracy:F4}");
        Assert.AreEqual(theirAccuracy, oursAccuracy, 0.01);
        Assert.IsGreaterThan(0.3, oursAccuracy, "it learns (26 classes; the most frequent last letter alone gives about 0.3)");
    }

    [TestMethod]
    public void OptionsThatTheSolverCannotHonourAreRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        var trainers = ml.MulticlassClassification.Trainers;
        var l1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { L1 = 0.1 }));
        StringAssert.Contains(l1.Message, "L1 needs Solver = Lbfgs");
        var batch = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { Solver = SoftmaxRegressionTrainer.Solver.Lbfgs, BatchSize = 32 }));
        StringAssert.Contains(batch.Message, "full-batch");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { Solver = SoftmaxRegressionTrainer.Solver.Lbfgs, HistorySize = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            trainers.SoftmaxRegression(new SoftmaxRegressionTrainer.Options { Solver = SoftmaxRegressionTrainer.Solver.Lbfgs, L1 = double.NaN }));
    }

    private sealed class NameRow
    {
        public string Prefix { get; set; } = "";

        public string LastLetter { get; set; } = "";
    }

    // θ = (Wᵀ, b) of a trained model, in the objective's layout.
    private static float[] Theta(MulticlassPredictionTransformer<MaximumEntropyModelParameters> model, SoftmaxRegressionData data)
    {
        VBuffer<float>[] weights = [];
        model.Model.GetWeights(ref weights, out _);
        int k = data.ClassCount, d = data.FeatureCount;
        var theta = new float[(long)k * d + k];
        for (int c = 0; c < k; c++)
        {
            var row = weights[c].DenseValues().ToArray();
            for (int j = 0; j < d; j++)
                theta[(long)j * k + c] = row[j];
        }
        model.Model.GetBiases().ToArray().CopyTo(theta, (long)k * d);
        return theta;
    }
}

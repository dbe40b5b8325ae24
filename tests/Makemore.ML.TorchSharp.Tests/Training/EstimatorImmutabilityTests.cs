using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// Estimators are immutable, as ML.NET users expect: an estimator holds its options and nothing from a fit, so fitting
/// one instance twice gives two independent transformers, each with its own model and its own training report.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class EstimatorImmutabilityTests
{
    private static readonly IReadOnlyList<string> Names = NameList.Read(TestData.BundledNamesPath);

    private static readonly Type[] KnownTrainers =
    [
        typeof(NGramEstimator), typeof(InterpolationEstimator), typeof(SoftmaxRegressionEstimator),
        typeof(MlpEstimator), typeof(SequenceModelEstimator),
    ];

    [TestMethod]
    public void NoPublicEstimatorHasStateBeyondReadonlyFields()
    {
        var estimators = new[] { typeof(NGramEstimator).Assembly, typeof(MlpEstimator).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEstimator<>)))
            .ToList();
        foreach (var trainer in KnownTrainers)
            CollectionAssert.Contains(estimators, trainer, "every trainer is checked");
        var problems = new List<string>();
        foreach (var type in estimators)
        {
            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                // Auto-properties with a (private) setter and captured primary-constructor parameters are non-readonly fields too.
                problems.AddRange(t.GetFields(Instance).Where(f => !f.IsInitOnly).Select(f => $"{type.Name}: field {f.Name} is not readonly"));
                problems.AddRange(t.GetProperties(Instance).Where(p => p.SetMethod is not null).Select(p => $"{type.Name}: property {p.Name} has a setter"));
            }
        }
        Assert.IsEmpty(problems, string.Join("; ", problems));
    }

    [TestMethod]
    public void FittingTheSameNGramEstimatorTwiceGivesIndependentTransformers()
    {
        var ml = new MLContext(seed: 1);
        var (first, second) = (Ids(ml, Names.Take(300)), Ids(ml, Names.Skip(3000).Take(300)));
        var estimator = ml.Makemore().Trainers.NGram(3);

        var stopwatch = Stopwatch.StartNew();
        var a = estimator.Fit(first);
        var firstFit = stopwatch.Elapsed;
        var emma = a.Model.Vocabulary.Encode("emma");
        double before = Score(a.Model, emma);
        var b = estimator.Fit(second);

        Assert.AreNotSame(a.Model, b.Model);
        Assert.AreEqual(before, Score(a.Model, emma), "the second fit leaves the first model as it was");
        Assert.AreNotEqual(Score(a.Model, emma), Score(b.Model, emma), "each model counted its own names");
        Assert.AreNotSame(a.Training, b.Training);
        Assert.IsEmpty(a.Training.History, "counting has no steps");
        Assert.IsLessThanOrEqualTo(firstFit, a.Training.Duration, "the report times the counting inside this Fit");
    }

    [TestMethod]
    public void FittingTheSameNeuralEstimatorTwiceGivesEachTransformerItsOwnReport()
    {
        var ml = new MLContext(seed: 1);
        var (first, second) = (Ids(ml, Names.Take(300)), Ids(ml, Names.Skip(3000).Take(300)));
        var estimator = ml.Makemore().Trainers.SoftmaxRegression(steps: 5);

        var a = estimator.Fit(first);
        var weights = a.Model.Weights.ToArray();
        var losses = a.Training.History.Select(p => p.Loss).ToArray();
        var b = estimator.Fit(second);

        Assert.HasCount(5, a.Training.History);
        Assert.HasCount(5, b.Training.History);
        CollectionAssert.AreEqual(losses, a.Training.History.Select(p => p.Loss).ToArray(), "the first report is untouched by the second fit");
        CollectionAssert.AreEqual(weights, a.Model.Weights.ToArray(), "the first model is untouched by the second fit");
        Assert.AreNotEqual(a.Training.History[0].Loss, b.Training.History[0].Loss, "each report follows its own data");
        CollectionAssert.AreNotEqual(weights, b.Model.Weights.ToArray());
    }

    private static IDataView Ids(MLContext ml, IEnumerable<string> names)
    {
        var view = ml.Data.LoadNames(names.ToList());
        return ml.Transforms.Text.MapCharactersToIds().Fit(ml.Data.LoadNames(Names.ToList())).Transform(view);
    }

    private static double Score(ILanguageModel model, int[] ids) => SequenceScorer.Score(model, ids).LogLikelihood;
}

using Microsoft.ML;
using Makemore.ML.Sampling;

namespace Makemore.ML.Tests.Sampling;

/// <summary><c>mlContext.Makemore().Generator(model)</c> draws its seed from the context, as ML.NET's components do.</summary>
[TestClass]
public sealed class ContextSeedTests
{
    private static IReadOnlyList<string> Sample(int contextSeed, SamplingOptions? options = null)
    {
        var ml = new MLContext(contextSeed);
        var names = ml.Data.LoadNames(TestData.Tiny);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2)).Fit(names);
        return ml.Makemore().Generator(model).Generate(20, options);
    }

    [TestMethod]
    public void TheContextsSeedChoosesTheSamples()
    {
        CollectionAssert.AreEqual(Sample(1).ToList(), Sample(1).ToList(), "the same context seed gives the same names");
        CollectionAssert.AreNotEqual(Sample(1).ToList(), Sample(2).ToList(), "another context seed gives other names");
        CollectionAssert.AreEqual(Sample(1, new SamplingOptions()).ToList(), Sample(1).ToList(), "options without a seed draw it from the context");
    }

    [TestMethod]
    public void ASeedInTheOptionsWinsOverTheContexts()
    {
        var given = new SamplingOptions { Seed = SamplingOptions.LectureSeed };
        CollectionAssert.AreEqual(Sample(1, given).ToList(), Sample(2, given).ToList());
        var ml = new MLContext(1);
        var names = ml.Data.LoadNames(TestData.Tiny);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2)).Fit(names);
        CollectionAssert.AreEqual(NameGenerator.From(model).Generate(20, new SamplingOptions()).ToList(), Sample(1, given).ToList(),
            "a generator without a context keeps the lecture's seed");
    }

    [TestMethod]
    public void EachCallDrawsTheNextSeed()
    {
        var ml = new MLContext(1);
        var names = ml.Data.LoadNames(TestData.Tiny);
        var generator = ml.Makemore().Generator(ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2)).Fit(names));
        CollectionAssert.AreNotEqual(generator.Generate(20).ToList(), generator.Generate(20).ToList(), "a context's random source moves on, as ML.NET's does");
    }
}

using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

/// <summary>The model contract and the open list of model kinds.</summary>
[TestClass]
public sealed class LanguageModelContractTests
{
    private static readonly string[] Probes = ["", "a", "emma", "isabella", new string('a', 40)];

    [TestMethod]
    [DataRow(1, "add-k:1")]
    [DataRow(2, "add-k:0.5")]
    [DataRow(3, "kneser-ney")]
    [DataRow(6, "kneser-ney:0.8")]
    public void NGramModelsKeepTheContract(int order, string smoothing)
    {
        var vocabulary = CharacterVocabulary.Learn(TestData.Tiny);
        var model = NGramModel.Fit(vocabulary, order, Smoothing.Parse(smoothing), TestData.Tiny.Select(n => vocabulary.Encode(n)));
        LanguageModelContract.Verify(model, Probes);
    }

    [TestMethod]
    [DataRow(1, ContextEncoding.Joint)]
    [DataRow(3, ContextEncoding.PerPosition)]
    public void SoftmaxRegressionKeepsTheContract(int block, ContextEncoding context)
    {
        var vocabulary = CharacterVocabulary.Learn(TestData.Tiny);
        var random = new Random(3);
        long rows = SoftmaxRegressionModel.RowCount(vocabulary.Size, block, context);
        var weights = Enumerable.Range(0, (int)(rows * vocabulary.Size)).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        LanguageModelContract.Verify(new SoftmaxRegressionModel(vocabulary, block, context, weights), Probes);
    }

    [TestMethod]
    public void EveryModelClassInTheLibraryHasACodecAndEveryKindIsUnique()
    {
        var modelTypes = typeof(ILanguageModel).Assembly.GetTypes()
            .Where(t => typeof(ILanguageModel).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToArray();
        Assert.IsNotEmpty(modelTypes);
        CollectionAssert.IsSubsetOf(new[] { "ngram", "softmax-regression" }, ModelCodecs.Kinds.ToArray());
        Assert.HasCount(modelTypes.Length, ModelCodecs.Kinds, $"one codec per model class: {string.Join(", ", modelTypes.Select(t => t.Name))}");
    }

    [TestMethod]
    public void AnUnknownKindAsksForAnUpgrade()
    {
        string state = ModelState.Encode("hypernetwork", 1, writer => writer.Write(0));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ModelState.GetModel(state.AsMemory()));
        StringAssert.Contains(error.Message, "'hypernetwork'");
        StringAssert.Contains(error.Message, "upgrade the library");
    }
}

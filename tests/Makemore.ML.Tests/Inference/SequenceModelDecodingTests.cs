using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

/// <summary>The Transformer's and bag-of-words' decoders allocate nothing per appended character (the key/value cache and running sum are made once).</summary>
[TestClass]
public sealed class SequenceModelDecodingTests
{
    private static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");

    private static float[] Values(Random random, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1))];

    internal static TransformerModel RandomTransformer(int seed, int blockSize = 16, int layers = 2, int heads = 4, int c = 32)
    {
        var r = new Random(seed);
        int v = Vocabulary.Size;
        var blocks = Enumerable.Range(0, layers).Select(_ => new TransformerBlockWeights(Values(r, c), Values(r, c), Values(r, 3 * c * c), Values(r, 3 * c),
            Values(r, c * c), Values(r, c), Values(r, c), Values(r, c), Values(r, 4 * c * c), Values(r, 4 * c), Values(r, 4 * c * c), Values(r, c))).ToArray();
        return new TransformerModel(Vocabulary, blockSize, heads, c, Values(r, v * c), Values(r, blockSize * c), blocks, Values(r, c), Values(r, c), Values(r, v * c));
    }

    internal static BagOfWordsModel RandomBagOfWords(int seed, int blockSize = 16, int c = 32, int h = 48)
    {
        var r = new Random(seed);
        int v = Vocabulary.Size;
        return new BagOfWordsModel(Vocabulary, blockSize, c, h, Values(r, v * c), Values(r, blockSize * c), Values(r, h * c), Values(r, h),
            Values(r, c * h), Values(r, c), Values(r, v * c), Values(r, v));
    }

    [TestMethod]
    [DataRow("transformer")]
    [DataRow("bow")]
    public void AppendingAllocatesNothing(string kind)
    {
        ILanguageModel model = kind == "transformer" ? RandomTransformer(1) : RandomBagOfWords(1);
        var decoder = model.StartDecoding();
        var p = new double[Vocabulary.Size];
        decoder.Append(1);
        decoder.NextProbabilities(p); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            decoder.Append(1 + i);
            decoder.NextProbabilities(p);
        }
        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before, "bytes allocated for 10 characters");
    }

    [TestMethod]
    public void RandomModelsKeepTheContract()
    {
        string[] probes = ["", "a", "emma", "isabella", new string('q', 40)];
        LanguageModelContract.Verify(RandomTransformer(2, blockSize: 6), probes, 1e-9);
        LanguageModelContract.Verify(RandomBagOfWords(3, blockSize: 6), probes, 1e-9);
    }
}

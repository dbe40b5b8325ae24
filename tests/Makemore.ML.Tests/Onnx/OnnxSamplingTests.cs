using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Tests.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Onnx;

/// <summary>
/// The sampling loop of docs/interop.md ("Sampling from the graph"), run on exported models: at every step its next-symbol
/// distribution is the C# decoder's (within 1e-5), so with the same uniform draws it samples the same names.
/// </summary>
[TestClass]
public sealed class OnnxSamplingTests
{
    /// <summary>The loop of docs/interop.md, with an observer of each step's prefix and distribution.</summary>
    private static string Sample(InferenceSession session, Random random, int maxLength, Action<long[], double[]> observe)
    {
        string[] symbols = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["vocabulary"])!;
        var ids = new List<long> { 0 };                                     // the boundary starts every name
        var name = new StringBuilder();
        while (name.Length < maxLength)
        {
            var idx = new DenseTensor<long>(ids.ToArray(), [1, ids.Count]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("idx", idx)]);
            var logProbs = results[0].AsTensor<float>();                    // [1, time, vocab]
            var p = new double[logProbs.Dimensions[2]];
            for (int c = 0; c < p.Length; c++)
                p[c] = Math.Exp(logProbs[0, ids.Count - 1, c]);             // the distribution after the last symbol
            observe([.. ids], p);
            int next = Draw(p, random.NextDouble());
            if (next == 0)
                break;                                                      // the end token
            ids.Add(next);
            name.Append(symbols[next - 1]);
        }
        return name.ToString();
    }

    // Inverse CDF over the (renormalised) probabilities.
    private static int Draw(double[] p, double u)
    {
        double target = u * p.Sum(), cumulative = 0;
        for (int c = 0; c < p.Length; c++)
            if ((cumulative += p[c]) > target)
                return c;
        return Array.FindLastIndex(p, x => x > 0);
    }

    // The same draws from the C# decoder.
    private static string SampleWithDecoder(ILanguageModel model, Random random, int maxLength)
    {
        var decoder = model.StartDecoding();
        var p = new double[model.Vocabulary.Size];
        var ids = new List<int>();
        while (ids.Count < maxLength)
        {
            decoder.NextProbabilities(p);
            int next = Draw(p, random.NextDouble());
            if (next == 0)
                break;
            decoder.Append(next);
            ids.Add(next);
        }
        return model.Vocabulary.Decode(ids.ToArray());
    }

    private static IEnumerable<object[]> Models()
    {
        var vocabulary = CharacterVocabulary.Learn(OnnxParity.Train);
        var train = OnnxParity.Train.Select(n => vocabulary.Encode(n)).ToArray();
        yield return ["4-gram Kneser–Ney", NGramModel.Fit(vocabulary, 4, Smoothing.KneserNey(), train)];
        yield return ["6-gram Kneser–Ney", NGramModel.Fit(vocabulary, 6, Smoothing.KneserNey(), train)];
        yield return ["bn-mlp", MlpModelTests.Random(2, 3, 10, (3, 64, true), (1, 32, true))];
        yield return ["gru", RecurrentModelTests.Random(RecurrentCell.Gru, 3)];
        // block 6 against names of up to 20 characters: the graph's sliding window against the decoder's
        yield return ["transformer", SequenceModelDecodingTests.RandomTransformer(4, blockSize: 6)];
        yield return ["bow", SequenceModelDecodingTests.RandomBagOfWords(5, blockSize: 6)];
    }

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void EachStepGivesTheDecodersDistributionAndTheSameNames(string kind, ILanguageModel model)
    {
        using var session = new InferenceSession(OnnxParity.Export(model));
        const int maxLength = 20;
        var onnxNames = new List<string>();
        var random = new Random(2026);
        int steps = 0;
        for (int i = 0; i < 20; i++)
            onnxNames.Add(Sample(session, random, maxLength, (prefix, p) =>
            {
                var decoder = model.StartDecoding();
                foreach (long id in prefix.Skip(1))
                    decoder.Append((int)id);
                var expected = new double[p.Length];
                decoder.NextProbabilities(expected);
                for (int c = 0; c < p.Length; c++)
                    Assert.AreEqual(expected[c], p[c], 1e-5, $"{kind}: p({c}) after {prefix.Length - 1} symbols");
                steps++;
            }));
        Assert.IsGreaterThan(40, steps, "several steps per name were compared");
        var decoderRandom = new Random(2026);
        var decoderNames = Enumerable.Range(0, 20).Select(_ => SampleWithDecoder(model, decoderRandom, maxLength)).ToList();
        CollectionAssert.AreEqual(decoderNames, onnxNames, $"{kind}: the same draws give the same names");
    }
}

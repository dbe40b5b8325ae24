using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Onnx;

/// <summary>
/// Runs an exported model in ONNX Runtime and compares it with the C# model it came from: the harness every kind's
/// parity test uses.
/// </summary>
internal static class OnnxParity
{
    /// <summary>The contract's tolerance: ONNX Runtime's ln p of each predicted symbol against the C# model's, nats (issue 22).</summary>
    public const double Tolerance = 1e-5;

    private static readonly Lazy<(IReadOnlyList<string> Train, IReadOnlyList<string> Dev)> LectureSplit = new(() =>
    {
        var parts = NameSplitter.Split(TestData.OriginalNamesOrInconclusive());
        return (parts.Train, parts.Dev);
    });

    /// <summary>The lecture split's train part of the original names (inconclusive, or failed in CI, without the file).</summary>
    public static IReadOnlyList<string> Train => LectureSplit.Value.Train;

    /// <summary>The lecture split's dev part.</summary>
    public static IReadOnlyList<string> Dev => LectureSplit.Value.Dev;

    /// <summary>The model exported with <c>ml.Makemore().ExportToOnnx</c>, as bytes.</summary>
    public static byte[] Export(ILanguageModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        new MLContext().Makemore().ExportToOnnx(model, stream, metadata);
        return stream.ToArray();
    }

    /// <summary>The contract's input for a batch of names: [0, ids…], padded with 0 after each name's end.</summary>
    public static DenseTensor<long> Batch(CharacterVocabulary vocabulary, IReadOnlyList<int[]> items)
    {
        int time = items.Max(i => i.Length) + 1;
        var idx = new DenseTensor<long>([items.Count, time]);
        for (int b = 0; b < items.Count; b++)
            for (int t = 0; t < items[b].Length; t++)
                idx[b, t + 1] = items[b][t];
        return idx;
    }

    /// <summary>Runs the graph on a batch: log_probs [B, T, V].</summary>
    public static float[] Run(InferenceSession session, DenseTensor<long> idx, out int time, out int v)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("idx", idx)]);
        var output = results.Single(r => r.Name == "log_probs").AsTensor<float>();
        time = output.Dimensions[1];
        v = output.Dimensions[2];
        Assert.AreEqual(idx.Dimensions[0], output.Dimensions[0], "batch");
        Assert.AreEqual(idx.Dimensions[1], time, "time");
        return output.ToArray();
    }

    /// <summary>
    /// Scores every name with ONNX Runtime (in batches of names of mixed lengths, padded as the contract says) and with
    /// <see cref="ILanguageModel.LogProbabilities"/>, and asserts that ln p of every predicted symbol agrees within
    /// <paramref name="tolerance"/>. Returns the two mean NLLs per character.
    /// </summary>
    public static (double Onnx, double CSharp) AssertSameLogProbabilities(ILanguageModel model, IReadOnlyList<string> names,
        double tolerance = Tolerance, int batchSize = 512)
    {
        var vocabulary = model.Vocabulary;
        var items = names.Select(n => vocabulary.Encode(n)).ToArray();
        using var session = new InferenceSession(Export(model));
        double onnxSum = 0, csharpSum = 0, worst = 0;
        long count = 0;
        string worstAt = "";
        for (int start = 0; start < items.Length; start += batchSize)
        {
            var batch = items.Skip(start).Take(batchSize).ToArray();
            var logProbs = Run(session, Batch(vocabulary, batch), out int time, out int v);
            Assert.AreEqual(vocabulary.Size, v, "vocab");
            for (int b = 0; b < batch.Length; b++)
            {
                var ids = batch[b];
                var expected = new double[ids.Length + 1];
                model.LogProbabilities(ids, expected);
                for (int t = 0; t <= ids.Length; t++)
                {
                    int next = t < ids.Length ? ids[t] : 0;
                    double actual = logProbs[((long)b * time + t) * v + next];
                    onnxSum += actual;
                    csharpSum += expected[t];
                    count++;
                    double difference = double.IsNegativeInfinity(expected[t]) && double.IsNegativeInfinity(actual) ? 0 : Math.Abs(actual - expected[t]);
                    if (!(difference <= worst))
                    {
                        worst = difference;
                        worstAt = $"'{names[start + b]}' position {t}: ONNX {actual}, C# {expected[t]}";
                    }
                }
            }
        }
        Assert.IsTrue(worst <= tolerance, $"largest difference {worst:E3} nats at {worstAt}");
        return (-onnxSum / count, -csharpSum / count);
    }
}

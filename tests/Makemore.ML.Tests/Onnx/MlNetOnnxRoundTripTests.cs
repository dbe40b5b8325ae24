using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Onnx;

/// <summary>
/// The exported file back in ML.NET: <c>ApplyOnnxModel</c> (Microsoft.ML.OnnxTransformer) on names padded to one length
/// gives every name the log-likelihood the Makemore pipeline's scoring column gives it (issue 22).
/// </summary>
[TestClass]
public sealed class MlNetOnnxRoundTripTests
{
    private sealed class IdxRow
    {
        [ColumnName("idx")]
        public long[] Idx { get; set; } = [];
    }

    [TestMethod]
    public void ApplyOnnxModelScoresDevNamesAsTheMakemorePipelineDoes()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Text.MapCharactersToIds("Ids", NameInput.ColumnName)
            .Append(ml.Makemore().Trainers.NGram(5, Smoothing.KneserNey()))
            .Fit(ml.Data.LoadNames(OnnxParity.Train));
        string path = Path.Combine(Path.GetTempPath(), $"makemore-{Guid.NewGuid():N}.onnx");
        try
        {
            ml.Makemore().ExportToOnnx(pipeline, path);
            var names = OnnxParity.Dev.Take(500).ToArray();
            var vocabulary = MakemoreModel.GetVocabulary(pipeline);
            int time = names.Max(n => n.Length) + 1;
            // The contract's padding: [0, ids…, 0, 0…] — every row one length, so one fixed shape for ML.NET.
            var rows = names.Select(n => new IdxRow { Idx = [0, .. vocabulary.Encode(n).Select(id => (long)id), .. new long[time - 1 - n.Length]] }).ToArray();
            var schema = SchemaDefinition.Create(typeof(IdxRow));
            schema["idx"].ColumnType = new VectorDataViewType(NumberDataViewType.Int64, time);
            var view = ml.Data.LoadFromEnumerable(rows, schema);
            var onnx = ml.Transforms.ApplyOnnxModel(["log_probs"], ["idx"], path, new Dictionary<string, int[]> { ["idx"] = [1, time] }, gpuDeviceId: null, fallbackToCpu: false).Fit(view);
            var logProbs = onnx.Transform(view).GetColumn<float[]>("log_probs").ToArray();
            var expected = pipeline.Transform(ml.Data.LoadNames(names)).GetColumn<double>(ScoreColumns.LogLikelihood).ToArray();
            int v = vocabulary.Size;
            Assert.HasCount(names.Length, logProbs);
            for (int i = 0; i < names.Length; i++)
            {
                Assert.HasCount(time * v, logProbs[i], "log_probs [1, time, vocab], flattened");
                var ids = vocabulary.Encode(names[i]);
                double logLikelihood = 0;
                for (int t = 0; t <= ids.Length; t++)
                    logLikelihood += logProbs[i][t * v + (t < ids.Length ? ids[t] : 0)];
                Assert.AreEqual(expected[i], logLikelihood, 1e-5 * (ids.Length + 1), $"'{names[i]}'");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// The design we did not ship, kept here to measure against: the model's parameters as a float vector in a
/// ValueMapping (copied into every row) and a mapping that rebuilds the model from that vector on every row.
/// </summary>
internal static class NaivePerRowState
{
    public sealed class KeyRow { public uint Key { get; set; } }
    public sealed class In
    {
        [ColumnName("Ids")] public int[] Ids { get; set; } = [];
        [ColumnName("Weights")] public float[] Weights { get; set; } = [];
    }
    public sealed class Out { public double LogLikelihood { get; set; } }

    [CustomMappingFactoryAttribute("MakemoreBenchmarks.NaiveKey")]
    public sealed class KeyFactory : CustomMappingFactory<Empty, KeyRow>
    {
        public override Action<Empty, KeyRow> GetMapping() => static (_, o) => o.Key = 1;
    }

    public sealed class Empty { }

    /// <summary>Scores a per-position/joint softmax model whose weights arrive in every row.</summary>
    public static ITransformer Build(MLContext ml, IDataView ids, SoftmaxRegressionModel model)
    {
        var vocabulary = model.Vocabulary;
        int block = model.BlockSize;
        var context = model.Context;
        var weights = model.Weights.ToArray();
        Action<In, Out> score = (input, output) =>
        {
            var rebuilt = new SoftmaxRegressionModel(vocabulary, block, context, input.Weights);
            output.LogLikelihood = SequenceScorer.Score(rebuilt, input.Ids).LogLikelihood;
        };
        return ml.Transforms.CustomMapping(new KeyFactory().GetMapping(), "MakemoreBenchmarks.NaiveKey")
            .Append(ml.Transforms.Conversion.MapValue("Weights", [new KeyValuePair<uint, float[]>(1, weights)], "Key"))
            .Append(ml.Transforms.CustomMapping(score, contractName: null))
            .Fit(ids);
    }
}

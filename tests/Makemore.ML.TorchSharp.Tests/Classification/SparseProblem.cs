using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.TorchSharp.Tests.Classification;

/// <summary>
/// A small sparse classification problem shared by the softmax trainer's tests: 300 rows of 60 features with 1 to 4
/// non-zeros each, a label decided mostly by which features are on (learnable, not separable, about 4 % dense).
/// </summary>
internal static class SparseProblem
{
    public const int Width = 60;

    private sealed class Row
    {
        [VectorType(Width)]
        public VBuffer<float> Features { get; set; }

        public string Class { get; set; } = "";
    }

    /// <summary>The rows, with the key column <c>Label</c> mapped from <c>Class</c>.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="repeatEveryFifth">Every 5th row repeats the one before it, so that rows merge.</param>
    public static IDataView Create(MLContext ml, bool repeatEveryFifth)
    {
        var random = new Random(3);
        var rows = new List<Row>();
        for (int i = 0; i < 300; i++)
        {
            if (repeatEveryFifth && i % 5 == 4)
            {
                rows.Add(rows[^1]);
                continue;
            }
            int[] indices = [.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(Width)).Distinct().Order()];
            float[] values = [.. indices.Select(_ => (float)(random.NextDouble() * 2 - 0.5))];
            int vote = (int)Math.Round(indices.Zip(values, (j, v) => (j % 4) * v).Sum()) + random.Next(2);
            rows.Add(new Row { Features = new VBuffer<float>(Width, indices.Length, values, indices), Class = "abcd"[Math.Clamp(vote, 0, 3)].ToString() });
        }
        var view = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(view).Transform(view);
    }
}

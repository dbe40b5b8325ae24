using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.TorchSharp.Classification;

/// <summary>
/// The training rows of <see cref="SoftmaxRegressionTrainer"/>: dense features, 0-based labels and weights, with identical
/// (features, label) rows merged into one row whose weight is their sum. Rows with a missing label or a non-finite
/// feature are left out, as ML.NET's trainers do.
/// </summary>
internal sealed class SoftmaxRegressionData
{
    private SoftmaxRegressionData(float[] features, long[] labels, float[] weights, int featureCount, int classCount)
    {
        Features = features;
        Labels = labels;
        Weights = weights;
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    /// <summary>(n·D) row-major features.</summary>
    public float[] Features { get; }

    /// <summary>(n) labels, 0-based.</summary>
    public long[] Labels { get; }

    /// <summary>(n) summed example weights.</summary>
    public float[] Weights { get; }

    public int FeatureCount { get; }

    public int ClassCount { get; }

    public long Count => Labels.Length;

    public static SoftmaxRegressionData Read(IDataView input, DataViewSchema.Column features, DataViewSchema.Column label, string? weightColumnName)
    {
        int d = ((VectorDataViewType)features.Type).Size;
        int k = (int)((KeyDataViewType)label.Type).Count;
        var weightColumn = weightColumnName is null ? (DataViewSchema.Column?)null
            : input.Schema.GetColumnOrNull(weightColumnName) ?? throw new ArgumentOutOfRangeException(nameof(weightColumnName), $"Weight column '{weightColumnName}' not found.");
        if (weightColumn is { } wc && wc.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(weightColumnName), $"Weight column '{weightColumnName}' must be Single, but is {wc.Type}.");

        var rows = new Dictionary<Row, int>();
        var featureList = new List<float[]>();
        var labels = new List<long>();
        var weights = new List<float>();
        DataViewSchema.Column[] needed = weightColumn is { } w ? [features, label, w] : [features, label];
        using var cursor = input.GetRowCursor(needed);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabel = cursor.GetGetter<uint>(label);
        var getWeight = weightColumn is { } weight ? cursor.GetGetter<float>(weight) : null;
        VBuffer<float> buffer = default;
        uint key = 0;
        float rowWeight = 1;
        while (cursor.MoveNext())
        {
            getLabel(ref key);
            getWeight?.Invoke(ref rowWeight);
            if (key == 0 || !(rowWeight > 0) || !float.IsFinite(rowWeight))
                continue;
            getFeatures(ref buffer);
            var dense = new float[d];
            buffer.CopyTo(dense);
            if (!dense.All(float.IsFinite))
                continue;
            var row = new Row(dense, key - 1);
            if (rows.TryGetValue(row, out int index))
            {
                weights[index] += rowWeight;
                continue;
            }
            rows[row] = featureList.Count;
            featureList.Add(dense);
            labels.Add(key - 1);
            weights.Add(rowWeight);
        }
        if (labels.Count == 0)
            throw new ArgumentException("There is nothing to train on: every row has a missing label or a non-finite feature.", nameof(input));
        var flat = new float[(long)featureList.Count * d];
        for (int i = 0; i < featureList.Count; i++)
            featureList[i].CopyTo(flat, (long)i * d);
        return new SoftmaxRegressionData(flat, [.. labels], [.. weights], d, k);
    }

    private readonly struct Row(float[] features, uint label) : IEquatable<Row>
    {
        private readonly int _hash = Hash(features, label);

        public float[] Features { get; } = features;

        public uint Label { get; } = label;

        public bool Equals(Row other) => Label == other.Label && Features.AsSpan().SequenceEqual(other.Features);

        public override bool Equals(object? obj) => obj is Row other && Equals(other);

        public override int GetHashCode() => _hash;

        private static int Hash(float[] features, uint label)
        {
            var hash = new HashCode();
            hash.Add(label);
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(features.AsSpan()));
            return hash.ToHashCode();
        }
    }
}

using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.TorchSharp.Classification;

/// <summary>
/// The training rows of <see cref="SoftmaxRegressionTrainer"/> in compressed sparse row (CSR) form — the non-zero features
/// of each row, its 0-based label and its weight — with identical (features, label) rows merged into one row whose weight
/// is their sum. Rows with a missing label or a non-finite feature are left out, as ML.NET's trainers do. Nothing here is
/// ever n × D: a row of a 64,628-slot text featurization holds a few dozen non-zeros.
/// </summary>
internal sealed class SoftmaxRegressionData
{
    private SoftmaxRegressionData(long[] rowStarts, int[] indices, float[] values, long[] labels, float[] weights, int featureCount, int classCount)
    {
        RowStarts = rowStarts;
        Indices = indices;
        Values = values;
        Labels = labels;
        Weights = weights;
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    /// <summary>(n + 1) offsets: row i's non-zeros are <c>[RowStarts[i], RowStarts[i + 1])</c> of <see cref="Indices"/> and <see cref="Values"/>.</summary>
    public long[] RowStarts { get; }

    /// <summary>(nnz) feature indices, ascending within a row.</summary>
    public int[] Indices { get; }

    /// <summary>(nnz) non-zero feature values.</summary>
    public float[] Values { get; }

    /// <summary>(n) labels, 0-based.</summary>
    public long[] Labels { get; }

    /// <summary>(n) summed example weights.</summary>
    public float[] Weights { get; }

    /// <summary>D, the width of the features column.</summary>
    public int FeatureCount { get; }

    /// <summary>K, the label's key count.</summary>
    public int ClassCount { get; }

    /// <summary>n, the rows after merging.</summary>
    public long Count => Labels.Length;

    /// <summary>The non-zero features of all rows.</summary>
    public long NonZeroCount => Values.LongLength;

    /// <summary>(n·D) row-major dense features.</summary>
    public float[] ToDense()
    {
        var dense = new float[Count * FeatureCount];
        for (long i = 0; i < Count; i++)
        {
            long offset = i * FeatureCount;
            for (long j = RowStarts[i]; j < RowStarts[i + 1]; j++)
                dense[offset + Indices[j]] = Values[j];
        }
        return dense;
    }

    public static SoftmaxRegressionData Read(IDataView input, DataViewSchema.Column features, DataViewSchema.Column label, string? weightColumnName)
    {
        int d = ((VectorDataViewType)features.Type).Size;
        int k = (int)((KeyDataViewType)label.Type).Count;
        var weightColumn = weightColumnName is null ? (DataViewSchema.Column?)null
            : input.Schema.GetColumnOrNull(weightColumnName) ?? throw new ArgumentOutOfRangeException(nameof(weightColumnName), $"Weight column '{weightColumnName}' not found.");
        if (weightColumn is { } wc && wc.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(weightColumnName), $"Weight column '{weightColumnName}' must be Single, but is {wc.Type}.");

        var rows = new Dictionary<Row, int>();
        var distinct = new List<Row>();
        var weights = new List<float>();
        long nonZeros = 0;
        var rowIndices = new List<int>();
        var rowValues = new List<float>();
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
            if (!NonZeros(buffer, rowIndices, rowValues))
                continue;
            var row = new Row(CollectionsMarshal.AsSpan(rowIndices).ToArray(), CollectionsMarshal.AsSpan(rowValues).ToArray(), key - 1);
            if (rows.TryGetValue(row, out int index))
            {
                weights[index] += rowWeight;
                continue;
            }
            rows[row] = distinct.Count;
            distinct.Add(row);
            weights.Add(rowWeight);
            nonZeros += row.Indices.Length;
        }
        if (distinct.Count == 0)
            throw new ArgumentException($"There is nothing to train on: the feature column '{features.Name}' has no rows with a label in '{label.Name}' and finite features.", nameof(input));
        var rowStarts = new long[distinct.Count + 1];
        var indices = new int[nonZeros];
        var values = new float[nonZeros];
        var labels = new long[distinct.Count];
        for (int i = 0; i < distinct.Count; i++)
        {
            var row = distinct[i];
            row.Indices.CopyTo(indices, rowStarts[i]);
            row.Values.CopyTo(values, rowStarts[i]);
            rowStarts[i + 1] = rowStarts[i] + row.Indices.Length;
            labels[i] = row.Label;
        }
        return new SoftmaxRegressionData(rowStarts, indices, values, labels, [.. weights], d, k);
    }

    // The row's non-zeros, ascending by index, whether ML.NET stored it dense or sparse (so the two merge alike); false if one is not finite.
    private static bool NonZeros(in VBuffer<float> buffer, List<int> indices, List<float> values)
    {
        indices.Clear();
        values.Clear();
        var stored = buffer.GetValues();
        var storedIndices = buffer.GetIndices();
        for (int i = 0; i < stored.Length; i++)
        {
            float value = stored[i];
            if (!float.IsFinite(value))
                return false;
            if (value == 0)
                continue;
            indices.Add(buffer.IsDense ? i : storedIndices[i]);
            values.Add(value);
        }
        return true;
    }

    private readonly struct Row(int[] indices, float[] values, uint label) : IEquatable<Row>
    {
        private readonly int _hash = Hash(indices, values, label);

        public int[] Indices { get; } = indices;

        public float[] Values { get; } = values;

        public uint Label { get; } = label;

        public bool Equals(Row other) =>
            Label == other.Label && Indices.AsSpan().SequenceEqual(other.Indices) && Values.AsSpan().SequenceEqual(other.Values);

        public override bool Equals(object? obj) => obj is Row other && Equals(other);

        public override int GetHashCode() => _hash;

        private static int Hash(int[] indices, float[] values, uint label)
        {
            var hash = new HashCode();
            hash.Add(label);
            hash.AddBytes(MemoryMarshal.AsBytes(indices.AsSpan()));
            hash.AddBytes(MemoryMarshal.AsBytes(values.AsSpan()));
            return hash.ToHashCode();
        }
    }
}

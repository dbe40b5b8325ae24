using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Makemore.ML.TorchSharp.Classification;

/// <summary>
/// Turns trained softmax-regression weights into ML.NET's own <c>MulticlassPredictionTransformer&lt;MaximumEntropyModelParameters&gt;</c>.
/// ML.NET gives no public constructor for the model parameters; it does document their binary form (number of features D,
/// number of classes K, K biases, then dense weights as <c>0, 0, K·D</c> and K rows of D floats). So: one L-BFGS iteration
/// of ML.NET's <c>LbfgsMaximumEntropy</c> on a K-row view with the same feature and label types gives a model of the right
/// shape; it is saved to memory, its biases and weights are overwritten with ours where that layout is found, and the model is
/// loaded back and checked to hold exactly our numbers.
/// </summary>
internal static class SoftmaxRegressionModelWriter
{
    public static MulticlassPredictionTransformer<MaximumEntropyModelParameters> Create(
        MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, DataViewSchema trainSchema,
        string labelColumnName, string featureColumnName, float[] weights, float[] biases)
    {
        int k = biases.Length, d = weights.Length / k;
        var serializer = Catalogs.Of(catalog); // the user's environment: the template, its bytes and the loaded model
        var shape = ShapeView(serializer, trainSchema[labelColumnName], trainSchema[featureColumnName], k, d);
        var template = SoftmaxRegressionTrainer.TemplateTrainer(catalog, labelColumnName, featureColumnName).Fit(shape);

        using var saved = new MemoryStream();
        serializer.Model.Save(template, shape.Schema, saved);
        var patched = Patch(saved.ToArray(), weights, biases, k, d);
        var loaded = serializer.Model.Load(new MemoryStream(patched), out _);
        var model = Unwrap(loaded);
        Check(model.Model, weights, biases, k, d);
        return model;
    }

    private static MulticlassPredictionTransformer<MaximumEntropyModelParameters> Unwrap(ITransformer loaded) => loaded switch
    {
        MulticlassPredictionTransformer<MaximumEntropyModelParameters> model => model,
        TransformerChain<ITransformer> chain when chain.LastTransformer is MulticlassPredictionTransformer<MaximumEntropyModelParameters> model => model,
        _ => throw new InvalidOperationException($"ML.NET loaded a {loaded.GetType().Name} where a maximum-entropy prediction transformer was saved."),
    };

    // A K-row view with the training schema's label type (and its key values) and feature type: row c has class c (LoadFromEnumerable adds 1 to a scalar key).
    private static IDataView ShapeView(Catalogs ml, DataViewSchema.Column label, DataViewSchema.Column featureColumn, int k, int d)
    {
        var schema = SchemaDefinition.Create(typeof(ShapeRow));
        var features = schema[nameof(ShapeRow.Features)];
        features.ColumnName = featureColumn.Name;
        features.ColumnType = featureColumn.Type; // the same type, dimensions included (OneHotEncoding of a key vector gives (N, V))
        var labelColumn = schema[nameof(ShapeRow.Label)];
        labelColumn.ColumnName = label.Name;
        labelColumn.ColumnType = label.Type;
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is { } keyValues && keyValues.Type is VectorDataViewType { ItemType: TextDataViewType } type)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            label.GetKeyValues(ref values);
            labelColumn.AddAnnotation("KeyValues", values, type);
        }
        var rows = Enumerable.Range(0, k).Select(c => new ShapeRow { Label = (uint)c, Features = OneHot(c % d, d) });
        return ml.Data.LoadFromEnumerable(rows.ToList(), schema);
    }

    private static float[] OneHot(int index, int size)
    {
        var x = new float[size];
        x[index] = 1;
        return x;
    }

    // Finds the dense weight block "D, K, K biases, 0, 0, K·D" in the model-parameters entry and writes our numbers into it.
    private static byte[] Patch(byte[] zip, float[] weights, float[] biases, int k, int d)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        int patchedEntries = 0;
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                byte[] bytes;
                using (var stream = entry.Open())
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                if (FindBlock(bytes, k, d) is int start)
                {
                    Write(bytes, start, weights, biases, k, d);
                    patchedEntries++;
                }
                using var target = archive.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
                target.Write(bytes);
            }
        }
        if (patchedEntries != 1)
            throw new InvalidOperationException($"ML.NET's maximum-entropy model was not in the documented dense form ({patchedEntries} weight blocks found).");
        return output.ToArray();
    }

    private static int? FindBlock(byte[] bytes, int k, int d)
    {
        int length = 8 + 4 * k + 12 + 4 * k * d;
        int? found = null;
        for (int i = 0; i + length <= bytes.Length; i += 1)
        {
            if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i)) != d || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i + 4)) != k)
                continue;
            int tail = i + 8 + 4 * k;
            if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(tail)) != 0 || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(tail + 4)) != 0
                || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(tail + 8)) != k * d)
                continue;
            if (found is not null)
                return null; // ambiguous: refuse rather than guess
            found = i;
        }
        return found;
    }

    private static void Write(byte[] bytes, int start, float[] weights, float[] biases, int k, int d)
    {
        int at = start + 8;
        foreach (float b in biases)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), b);
            at += 4;
        }
        at += 12;
        foreach (float w in weights) // (K, D) row-major: one row of D per class, as ML.NET stores them
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), w);
            at += 4;
        }
    }

    private static void Check(MaximumEntropyModelParameters model, float[] weights, float[] biases, int k, int d)
    {
        var loadedBiases = model.GetBiases().ToArray();
        VBuffer<float>[] loadedWeights = [];
        model.GetWeights(ref loadedWeights, out int classes);
        bool same = classes == k && loadedBiases.AsSpan().SequenceEqual(biases)
            && Enumerable.Range(0, k).All(c => loadedWeights[c].DenseValues().SequenceEqual(weights.AsSpan(c * d, d).ToArray()));
        if (!same)
            throw new InvalidOperationException("ML.NET's maximum-entropy model does not hold the trained weights after writing them.");
    }

    private sealed class ShapeRow
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}

using System.Numerics.Tensors;

namespace Makemore.ML.TorchSharp.Classification;

/// <summary>
/// The smooth part of <see cref="SoftmaxRegressionTrainer"/>'s loss and its gradient, computed from the non-zeros of the
/// CSR rows only: the example-weighted mean NLL of softmax(x · Wᵀ + b) plus <c>L2 · mean(W²)</c> (the bias is not
/// regularised). The parameters are one flat vector θ = (Wᵀ as D rows of K, then b): each feature's K weights are
/// contiguous, so a non-zero costs one K-wide multiply-add forward and one backward, and nothing is ever n × D.
/// </summary>
internal sealed class SoftmaxRegressionObjective
{
    private readonly SoftmaxRegressionData _data;
    private readonly double _weightSum;
    private readonly float[] _logits; // (K) one row's logits, then its softmax minus the one-hot label

    public SoftmaxRegressionObjective(SoftmaxRegressionData data, double l2)
    {
        _data = data;
        L2 = l2;
        double sum = 0;
        foreach (float w in data.Weights)
            sum += w;
        _weightSum = sum;
        _logits = new float[data.ClassCount];
    }

    /// <summary>K.</summary>
    public int ClassCount => _data.ClassCount;

    /// <summary>K · D: the regularised coordinates, θ[0 .. K·D).</summary>
    public long WeightCount => (long)_data.FeatureCount * _data.ClassCount;

    /// <summary>K · D + K.</summary>
    public long Length => WeightCount + _data.ClassCount;

    /// <summary>The strength of <c>L2 · mean(W²)</c>.</summary>
    public double L2 { get; }

    /// <summary>Writes the gradient of the smooth loss at <paramref name="theta"/> into <paramref name="gradient"/> and returns the loss.</summary>
    public double Evaluate(float[] theta, float[] gradient)
    {
        int k = _data.ClassCount;
        long weightCount = WeightCount;
        Array.Clear(gradient);
        var biases = theta.AsSpan((int)weightCount, k);
        var biasGradient = gradient.AsSpan((int)weightCount, k);
        var logits = _logits.AsSpan();
        double nll = 0;
        for (long i = 0; i < _data.Count; i++)
        {
            long start = _data.RowStarts[i], end = _data.RowStarts[i + 1];
            biases.CopyTo(logits);
            for (long j = start; j < end; j++) // logits += x_j · Wᵀ[j]
                TensorPrimitives.MultiplyAdd(theta.AsSpan((int)(_data.Indices[j] * (long)k), k), _data.Values[j], logits, logits);
            int label = (int)_data.Labels[i];
            float max = TensorPrimitives.Max(logits);
            TensorPrimitives.Subtract(logits, max, logits);
            float labelLogit = logits[label];
            TensorPrimitives.Exp(logits, logits);
            float total = TensorPrimitives.Sum(logits);
            double weight = _data.Weights[i] / _weightSum;
            nll += weight * (Math.Log(total) - labelLogit);
            TensorPrimitives.Multiply(logits, (float)(weight / total), logits); // w · softmax
            logits[label] -= (float)weight; // w · (softmax − one-hot): the gradient of the row's logits
            TensorPrimitives.Add(biasGradient, logits, biasGradient);
            for (long j = start; j < end; j++) // ∂/∂Wᵀ[j] += x_j · (that gradient)
            {
                var row = gradient.AsSpan((int)(_data.Indices[j] * (long)k), k);
                TensorPrimitives.MultiplyAdd(logits, _data.Values[j], row, row);
            }
        }
        if (L2 == 0)
            return nll;
        var w = theta.AsSpan(0, (int)weightCount);
        double scale = L2 / weightCount;
        TensorPrimitives.MultiplyAdd(w, (float)(2 * scale), gradient.AsSpan(0, (int)weightCount), gradient.AsSpan(0, (int)weightCount));
        return nll + scale * SumOfSquares(w);
    }

    // In double over float blocks: the line search compares losses that differ by less than float's resolution of their sum.
    internal static double SumOfSquares(ReadOnlySpan<float> x)
    {
        const int Block = 4096;
        double sum = 0;
        for (int i = 0; i < x.Length; i += Block)
            sum += TensorPrimitives.SumOfSquares(x.Slice(i, Math.Min(Block, x.Length - i)));
        return sum;
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace Makemore.ML.Inference;

/// <summary>
/// y = b + x · Wᵀ for the small dense layers of the sequence models, with W stored transposed (input-major). One output
/// per TensorPrimitives.Dot call spent most of the Transformer's time in call overhead on 64-long rows; here each run of
/// 8 SIMD vectors of outputs stays in registers while the inputs stream past.
/// </summary>
internal static class MatrixVector
{
    /// <summary>Transposes nn.Linear's (out, in) row-major weight into (in, out).</summary>
    public static float[] Transpose(float[] weight, int outputs, int inputs)
    {
        var transposed = new float[weight.Length];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                transposed[i * outputs + o] = weight[o * inputs + i];
        return transposed;
    }

    /// <summary>y[j] = bias[j] + Σ_k x[k] · wt[k, j], with <paramref name="wt"/> (x.Length, y.Length) row-major; an empty bias adds nothing.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y)
    {
        int n = x.Length, m = y.Length, w = Vector<float>.Count, j = 0;
        if (wt.Length != n * m)
            throw new ArgumentException($"Expected a {n} × {m} matrix, got {wt.Length} values.", nameof(wt));
        ref float weights = ref MemoryMarshal.GetReference(wt);
        for (; j + 8 * w <= m; j += 8 * w)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int k = 0; k < n; k++)
            {
                var xk = new Vector<float>(x[k]);
                nuint row = (nuint)(k * m + j);
                a0 += xk * Vector.LoadUnsafe(ref weights, row);
                a1 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)w);
                a2 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)(2 * w));
                a3 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)(3 * w));
                a4 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)(4 * w));
                a5 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)(5 * w));
                a6 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)(6 * w));
                a7 += xk * Vector.LoadUnsafe(ref weights, row + (nuint)(7 * w));
            }
            a0.CopyTo(y[j..]);
            a1.CopyTo(y[(j + w)..]);
            a2.CopyTo(y[(j + 2 * w)..]);
            a3.CopyTo(y[(j + 3 * w)..]);
            a4.CopyTo(y[(j + 4 * w)..]);
            a5.CopyTo(y[(j + 5 * w)..]);
            a6.CopyTo(y[(j + 6 * w)..]);
            a7.CopyTo(y[(j + 7 * w)..]);
        }
        for (; j + w <= m; j += w)
        {
            Vector<float> a = default;
            for (int k = 0; k < n; k++)
                a += new Vector<float>(x[k]) * Vector.LoadUnsafe(ref weights, (nuint)(k * m + j));
            a.CopyTo(y[j..]);
        }
        for (; j < m; j++)
        {
            float s = 0;
            for (int k = 0; k < n; k++)
                s += x[k] * wt[k * m + j];
            y[j] = s;
        }
        if (!bias.IsEmpty)
            System.Numerics.Tensors.TensorPrimitives.Add(y, bias, y);
    }
}

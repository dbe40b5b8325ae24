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
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y) =>
        MultiplyRows(x, 1, wt, bias, y);

    /// <summary>
    /// <see cref="Multiply"/> for each of <paramref name="rows"/> rows of x (rows, n) into y (rows, m): each run of outputs
    /// reads its weights once for all rows (they stay in L1), and every output is summed in the same order as one row alone,
    /// so the results are bit for bit those of <see cref="Multiply"/>.
    /// </summary>
    public static void MultiplyRows(ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y)
    {
        int n = x.Length / rows, m = y.Length / rows, w = Vector<float>.Count, j = 0;
        if (wt.Length != n * m || x.Length != rows * n || y.Length != rows * m)
            throw new ArgumentException($"Expected a {n} × {m} matrix for {rows} rows, got {wt.Length} values.", nameof(wt));
        ref float weights = ref MemoryMarshal.GetReference(wt);
        for (; j + 8 * w <= m; j += 8 * w)
            for (int r = 0; r < rows; r++)
            {
                var xr = x.Slice(r * n, n);
                Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int k = 0; k < n; k++)
                {
                    var xk = new Vector<float>(xr[k]);
                    nuint row = (nuint)(k * m + j);
                    a0 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row), a0);
                    a1 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)w), a1);
                    a2 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)(2 * w)), a2);
                    a3 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)(3 * w)), a3);
                    a4 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)(4 * w)), a4);
                    a5 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)(5 * w)), a5);
                    a6 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)(6 * w)), a6);
                    a7 = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref weights, row + (nuint)(7 * w)), a7);
                }
                var yr = y.Slice(r * m, m);
                a0.CopyTo(yr[j..]);
                a1.CopyTo(yr[(j + w)..]);
                a2.CopyTo(yr[(j + 2 * w)..]);
                a3.CopyTo(yr[(j + 3 * w)..]);
                a4.CopyTo(yr[(j + 4 * w)..]);
                a5.CopyTo(yr[(j + 5 * w)..]);
                a6.CopyTo(yr[(j + 6 * w)..]);
                a7.CopyTo(yr[(j + 7 * w)..]);
            }
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * n, n);
            var yr = y.Slice(r * m, m);
            int jr = j;
            for (; jr + w <= m; jr += w)
            {
                Vector<float> a = default;
                for (int k = 0; k < n; k++)
                    a = Vector.FusedMultiplyAdd(new Vector<float>(xr[k]), Vector.LoadUnsafe(ref weights, (nuint)(k * m + jr)), a);
                a.CopyTo(yr[jr..]);
            }
            for (; jr < m; jr++)
            {
                float s = 0;
                for (int k = 0; k < n; k++)
                    s += xr[k] * wt[k * m + jr];
                yr[jr] = s;
            }
            if (!bias.IsEmpty)
                System.Numerics.Tensors.TensorPrimitives.Add(yr, bias, yr);
        }
    }
}

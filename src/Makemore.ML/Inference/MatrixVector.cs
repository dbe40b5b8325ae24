using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Makemore.ML.Inference;

/// <summary>
/// y = b + x · Wᵀ for the small dense layers of the sequence models, with W stored transposed (input-major). One output
/// per TensorPrimitives.Dot call spent most of the Transformer's time in call overhead on 64-long rows; here tiles of
/// outputs stay in SIMD registers while the inputs stream past: 3 rows × 4 vectors where a pass has several rows (each
/// weight vector loaded once serves three rows), 8 vectors for a single row; with AVX-512, tiles of up to 4 rows × 4
/// 512-bit vectors (<c>MatrixVectorWide.cs</c>).
/// </summary>
internal static partial class MatrixVector
{
    private static readonly int W = Vector<float>.Count;

    /// <summary>Transposes nn.Linear's (out, in) row-major weight into (in, out).</summary>
    public static float[] Transpose(float[] weight, int outputs, int inputs) => Transpose(weight, outputs, inputs, outputs);

    /// <summary>
    /// Transposes nn.Linear's (out, in) weight into (in, <paramref name="stride"/>) with zeros past <paramref name="outputs"/>:
    /// padding a row to whole SIMD vectors keeps a short read-out (27 characters) off the scalar path.
    /// </summary>
    public static float[] Transpose(float[] weight, int outputs, int inputs, int stride)
    {
        var transposed = new float[inputs * stride];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                transposed[i * stride + o] = weight[o * inputs + i];
        return transposed;
    }

    /// <summary>The smallest multiple of the SIMD width that holds <paramref name="outputs"/>.</summary>
    public static int PaddedWidth(int outputs) => (outputs + PadTo - 1) / PadTo * PadTo;

    // Whole vectors of the widest kernel this machine runs.
    private static readonly int PadTo = Vector512.IsHardwareAccelerated ? Math.Max(W, Vector512<float>.Count) : W;

    /// <summary>y[j] = bias[j] + Σ_k x[k] · wt[k, j], with <paramref name="wt"/> (x.Length, y.Length) row-major; an empty bias adds nothing.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y) =>
        MultiplyRows(x, 1, wt, bias, y);

    /// <summary>
    /// <see cref="Multiply"/> for each of <paramref name="rows"/> rows of x (rows, n) into y (rows, m). Every output is
    /// summed in the same order (k = 0, 1, …, one fused multiply-add each, then the bias) whatever tile computes it, so the
    /// results are bit for bit those of <see cref="Multiply"/> on one row.
    /// </summary>
    public static void MultiplyRows(ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y)
    {
        int n = Check(x, rows, wt, bias, y), m = y.Length / rows;
        if (HasWideKernel(m)) // 1.35× names/s for the Transformer on Zen 4 (which splits each 512-bit multiply-add in two)
            Wide.MultiplyRows(ref MemoryMarshal.GetReference(x), rows, ref MemoryMarshal.GetReference(wt), bias, ref MemoryMarshal.GetReference(y), n, m);
        else
            MultiplyRowsPortable(x, rows, wt, bias, y);
    }

    /// <summary>Whether <see cref="MultiplyRows"/> runs the AVX-512 kernel for <paramref name="outputs"/> outputs a row.</summary>
    public static bool HasWideKernel(int outputs) => Vector512.IsHardwareAccelerated && outputs % Vector512<float>.Count == 0;

    /// <summary><see cref="MultiplyRows"/> on <see cref="Vector{T}"/> tiles whatever the machine: the kernel where AVX-512 is missing.</summary>
    public static void MultiplyRowsPortable(ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y)
    {
        int n = Check(x, rows, wt, bias, y), m = y.Length / rows;
        ref float weights = ref MemoryMarshal.GetReference(wt);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int r = 0;
        for (; r + 3 <= rows; r += 3)
        {
            int j = ThreeRows(ref Unsafe.Add(ref x0, r * n), ref weights, ref Unsafe.Add(ref y0, r * m), n, m);
            for (int row = r; row < r + 3; row++)
                OneRow(ref Unsafe.Add(ref x0, row * n), ref weights, ref Unsafe.Add(ref y0, row * m), j, n, m);
        }
        for (; r < rows; r++)
            OneRow(ref Unsafe.Add(ref x0, r * n), ref weights, ref Unsafe.Add(ref y0, r * m), 0, n, m);
        if (!bias.IsEmpty)
            for (r = 0; r < rows; r++)
                TensorPrimitives.Add(y.Slice(r * m, m), bias, y.Slice(r * m, m));
    }

    // The inner size n; throws unless x is (rows, n), wt (n, m), y (rows, m) and the bias empty or m long.
    private static int Check(ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> y)
    {
        if (rows < 1)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "At least one row.");
        int n = x.Length / rows, m = y.Length / rows;
        if (wt.Length != n * m || x.Length != rows * n || y.Length != rows * m)
            throw new ArgumentException($"Expected a {n} × {m} matrix for {rows} rows, got {wt.Length} values.", nameof(wt));
        if (!bias.IsEmpty && bias.Length != m)
            throw new ArgumentException($"Expected {m} biases, got {bias.Length}.", nameof(bias));
        return n;
    }

    // Rows x0, x0 + n, x0 + 2n against 4-vector column tiles; returns the first column left for OneRow.
    private static int ThreeRows(ref float x0, ref float weights, ref float y0, int n, int m)
    {
        ref float x1 = ref Unsafe.Add(ref x0, n);
        ref float x2 = ref Unsafe.Add(ref x1, n);
        nuint w = (nuint)W, w2 = 2 * w, w3 = 3 * w;
        int j = 0;
        for (; j + 4 * W <= m; j += 4 * W)
        {
            Vector<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector<float> a20 = default, a21 = default, a22 = default, a23 = default;
            ref float wk = ref Unsafe.Add(ref weights, j);
            for (int k = 0; k < n; k++)
            {
                var v0 = Vector.LoadUnsafe(ref wk);
                var v1 = Vector.LoadUnsafe(ref wk, w);
                var v2 = Vector.LoadUnsafe(ref wk, w2);
                var v3 = Vector.LoadUnsafe(ref wk, w3);
                var b = new Vector<float>(Unsafe.Add(ref x0, k));
                a00 = Vector.FusedMultiplyAdd(b, v0, a00); a01 = Vector.FusedMultiplyAdd(b, v1, a01);
                a02 = Vector.FusedMultiplyAdd(b, v2, a02); a03 = Vector.FusedMultiplyAdd(b, v3, a03);
                b = new Vector<float>(Unsafe.Add(ref x1, k));
                a10 = Vector.FusedMultiplyAdd(b, v0, a10); a11 = Vector.FusedMultiplyAdd(b, v1, a11);
                a12 = Vector.FusedMultiplyAdd(b, v2, a12); a13 = Vector.FusedMultiplyAdd(b, v3, a13);
                b = new Vector<float>(Unsafe.Add(ref x2, k));
                a20 = Vector.FusedMultiplyAdd(b, v0, a20); a21 = Vector.FusedMultiplyAdd(b, v1, a21);
                a22 = Vector.FusedMultiplyAdd(b, v2, a22); a23 = Vector.FusedMultiplyAdd(b, v3, a23);
                wk = ref Unsafe.Add(ref wk, m);
            }
            ref float y = ref Unsafe.Add(ref y0, j);
            a00.StoreUnsafe(ref y); a01.StoreUnsafe(ref y, w); a02.StoreUnsafe(ref y, w2); a03.StoreUnsafe(ref y, w3);
            y = ref Unsafe.Add(ref y, m);
            a10.StoreUnsafe(ref y); a11.StoreUnsafe(ref y, w); a12.StoreUnsafe(ref y, w2); a13.StoreUnsafe(ref y, w3);
            y = ref Unsafe.Add(ref y, m);
            a20.StoreUnsafe(ref y); a21.StoreUnsafe(ref y, w); a22.StoreUnsafe(ref y, w2); a23.StoreUnsafe(ref y, w3);
        }
        return j;
    }

    // One row from column j on: 8-vector tiles (enough independent sums to hide the multiply-add latency), then single vectors, then scalars.
    private static void OneRow(ref float x, ref float weights, ref float y, int j, int n, int m)
    {
        nuint w = (nuint)W;
        for (; j + 8 * W <= m; j += 8 * W)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            ref float wk = ref Unsafe.Add(ref weights, j);
            for (int k = 0; k < n; k++)
            {
                var b = new Vector<float>(Unsafe.Add(ref x, k));
                a0 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk), a0);
                a1 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, w), a1);
                a2 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, 2 * w), a2);
                a3 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, 3 * w), a3);
                a4 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, 4 * w), a4);
                a5 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, 5 * w), a5);
                a6 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, 6 * w), a6);
                a7 = Vector.FusedMultiplyAdd(b, Vector.LoadUnsafe(ref wk, 7 * w), a7);
                wk = ref Unsafe.Add(ref wk, m);
            }
            ref float yj = ref Unsafe.Add(ref y, j);
            a0.StoreUnsafe(ref yj); a1.StoreUnsafe(ref yj, w); a2.StoreUnsafe(ref yj, 2 * w); a3.StoreUnsafe(ref yj, 3 * w);
            a4.StoreUnsafe(ref yj, 4 * w); a5.StoreUnsafe(ref yj, 5 * w); a6.StoreUnsafe(ref yj, 6 * w); a7.StoreUnsafe(ref yj, 7 * w);
        }
        for (; j + W <= m; j += W)
        {
            Vector<float> a = default;
            ref float wk = ref Unsafe.Add(ref weights, j);
            for (int k = 0; k < n; k++)
            {
                a = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref x, k)), Vector.LoadUnsafe(ref wk), a);
                wk = ref Unsafe.Add(ref wk, m);
            }
            a.StoreUnsafe(ref y, (nuint)j);
        }
        for (; j < m; j++)
        {
            float s = 0;
            for (int k = 0; k < n; k++)
                s = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, k), Unsafe.Add(ref weights, k * m + j), s);
            Unsafe.Add(ref y, j) = s;
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Makemore.ML.Inference;

internal static partial class MatrixVector
{
    /// <summary>
    /// The AVX-512 kernel of <see cref="MultiplyRows"/> for widths that are whole 512-bit vectors: tiles of up to 4 rows ×
    /// 4 vectors (64 outputs) stay in 16 registers while the inputs stream past, so each weight vector loaded serves 4
    /// rows and each broadcast input 4 vectors; the bias is added in the registers. Sums run in the same order as the
    /// 256-bit tiles (k = 0, 1, …, one fused multiply-add each, then the bias), so the numbers are the same bit for bit.
    /// </summary>
    private static class Wide
    {
        private const int L = 16; // floats per Vector512

        public static void MultiplyRows(ref float x0, int rows, ref float weights, ReadOnlySpan<float> bias, ref float y0, int n, int m)
        {
            int r = 0;
            for (; r + 4 <= rows; r += 4)
                Columns<Four>(ref Unsafe.Add(ref x0, r * n), ref weights, bias, ref Unsafe.Add(ref y0, r * m), n, m);
            ref float xr = ref Unsafe.Add(ref x0, r * n);
            ref float yr = ref Unsafe.Add(ref y0, r * m);
            switch (rows - r)
            {
                case 3: Columns<Three>(ref xr, ref weights, bias, ref yr, n, m); break;
                case 2: Columns<Two>(ref xr, ref weights, bias, ref yr, n, m); break;
                case 1: Columns<One>(ref xr, ref weights, bias, ref yr, n, m); break;
            }
        }

        // R rows against column tiles of 4 vectors, then 2, then 1.
        private static void Columns<R>(ref float x0, ref float weights, ReadOnlySpan<float> bias, ref float y0, int n, int m)
            where R : struct, ICount
        {
            int j = 0;
            for (; j + 4 * L <= m; j += 4 * L)
                Tile<R, Four>(ref x0, ref weights, bias, ref y0, n, m, j);
            for (; j + 2 * L <= m; j += 2 * L)
                Tile<R, Two>(ref x0, ref weights, bias, ref y0, n, m, j);
            for (; j < m; j += L)
                Tile<R, One>(ref x0, ref weights, bias, ref y0, n, m, j);
        }

        // y[r, j … j + C·16) for R rows: one body for every tile shape, the unused rows and columns removed by the JIT
        // (R and C are structs, so each shape is compiled on its own with the counts as constants).
        private static void Tile<R, C>(ref float x0, ref float weights, ReadOnlySpan<float> bias, ref float y0, int n, int m, int j)
            where R : struct, ICount where C : struct, ICount
        {
            int rows = R.Count, columns = C.Count;
            ref float x1 = ref rows > 1 ? ref Unsafe.Add(ref x0, n) : ref x0;
            ref float x2 = ref rows > 2 ? ref Unsafe.Add(ref x0, 2 * n) : ref x0;
            ref float x3 = ref rows > 3 ? ref Unsafe.Add(ref x0, 3 * n) : ref x0;
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            ref float wk = ref Unsafe.Add(ref weights, j);
            for (int k = 0; k < n; k++)
            {
                var v0 = Vector512.LoadUnsafe(ref wk);
                var v1 = columns > 1 ? Vector512.LoadUnsafe(ref wk, L) : default;
                var v2 = columns > 2 ? Vector512.LoadUnsafe(ref wk, 2 * L) : default;
                var v3 = columns > 2 ? Vector512.LoadUnsafe(ref wk, 3 * L) : default;
                var b = Vector512.Create(Unsafe.Add(ref x0, k));
                a00 = Vector512.FusedMultiplyAdd(b, v0, a00);
                if (columns > 1) a01 = Vector512.FusedMultiplyAdd(b, v1, a01);
                if (columns > 2) { a02 = Vector512.FusedMultiplyAdd(b, v2, a02); a03 = Vector512.FusedMultiplyAdd(b, v3, a03); }
                if (rows > 1)
                {
                    b = Vector512.Create(Unsafe.Add(ref x1, k));
                    a10 = Vector512.FusedMultiplyAdd(b, v0, a10);
                    if (columns > 1) a11 = Vector512.FusedMultiplyAdd(b, v1, a11);
                    if (columns > 2) { a12 = Vector512.FusedMultiplyAdd(b, v2, a12); a13 = Vector512.FusedMultiplyAdd(b, v3, a13); }
                }
                if (rows > 2)
                {
                    b = Vector512.Create(Unsafe.Add(ref x2, k));
                    a20 = Vector512.FusedMultiplyAdd(b, v0, a20);
                    if (columns > 1) a21 = Vector512.FusedMultiplyAdd(b, v1, a21);
                    if (columns > 2) { a22 = Vector512.FusedMultiplyAdd(b, v2, a22); a23 = Vector512.FusedMultiplyAdd(b, v3, a23); }
                }
                if (rows > 3)
                {
                    b = Vector512.Create(Unsafe.Add(ref x3, k));
                    a30 = Vector512.FusedMultiplyAdd(b, v0, a30);
                    if (columns > 1) a31 = Vector512.FusedMultiplyAdd(b, v1, a31);
                    if (columns > 2) { a32 = Vector512.FusedMultiplyAdd(b, v2, a32); a33 = Vector512.FusedMultiplyAdd(b, v3, a33); }
                }
                wk = ref Unsafe.Add(ref wk, m);
            }
            Store<C>(a00, a01, a02, a03, bias, ref y0, j);
            if (rows > 1) Store<C>(a10, a11, a12, a13, bias, ref Unsafe.Add(ref y0, m), j);
            if (rows > 2) Store<C>(a20, a21, a22, a23, bias, ref Unsafe.Add(ref y0, 2 * m), j);
            if (rows > 3) Store<C>(a30, a31, a32, a33, bias, ref Unsafe.Add(ref y0, 3 * m), j);
        }

        // One row's C vectors from column j, plus the bias (if any) after the sum.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store<C>(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
            ReadOnlySpan<float> bias, ref float y, int j) where C : struct, ICount
        {
            int columns = C.Count;
            if (!bias.IsEmpty)
            {
                ref float b = ref Unsafe.Add(ref MemoryMarshal.GetReference(bias), j);
                a0 += Vector512.LoadUnsafe(ref b);
                if (columns > 1) a1 += Vector512.LoadUnsafe(ref b, L);
                if (columns > 2) { a2 += Vector512.LoadUnsafe(ref b, 2 * L); a3 += Vector512.LoadUnsafe(ref b, 3 * L); }
            }
            ref float yj = ref Unsafe.Add(ref y, j);
            a0.StoreUnsafe(ref yj);
            if (columns > 1) a1.StoreUnsafe(ref yj, L);
            if (columns > 2) { a2.StoreUnsafe(ref yj, 2 * L); a3.StoreUnsafe(ref yj, 3 * L); }
        }
    }

    // Tile sizes as types, so that each size of Wide.Tile is compiled with its own constants.
    private interface ICount { static abstract int Count { get; } }

    private struct One : ICount { public static int Count => 1; }

    private struct Two : ICount { public static int Count => 2; }

    private struct Three : ICount { public static int Count => 3; }

    private struct Four : ICount { public static int Count => 4; }
}

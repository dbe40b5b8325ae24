namespace Makemore.ML.Sampling;

/// <summary>
/// A bit-exact port of PyTorch's CPU generator (<c>torch.Generator().manual_seed(seed)</c>) and of the CPU
/// kernels makemore draws from it: <c>torch.rand</c>, and <c>torch.multinomial(p, 1)</c> both as the 2022 lectures
/// ran it (inverse CDF, PyTorch 1.x) and as current PyTorch and TorchSharp 0.107 run it (exponential race).
/// </summary>
/// <remarks>
/// The engine is MT19937 seeded with <c>init_genrand</c> on the low 32 bits of the seed. PyTorch's
/// <c>random()</c> is one engine output and <c>random64()</c> is two, the first one in the high word.
/// <c>torch.randn</c> (which switches to a vectorised Box–Muller for 16 or more elements) is not ported.
/// Not thread-safe.
/// </remarks>
public sealed class TorchGenerator
{
    private const int StackallocLimit = 256;

    // glibc's x86-64 IFUNC selects its FMA build of log1p when the CPU has both FMA and AVX2.
    private static readonly bool GlibcUsesFma =
        System.Runtime.Intrinsics.X86.Fma.IsSupported && System.Runtime.Intrinsics.X86.Avx2.IsSupported;

    private readonly Mt19937 _engine;

    /// <summary>Creates a generator in the state of <c>torch.Generator().manual_seed(seed)</c>.</summary>
    /// <param name="seed">The seed; like PyTorch, only its low 32 bits are used (two's complement for negative seeds).</param>
    public TorchGenerator(long seed)
    {
        _engine = new Mt19937(unchecked((uint)seed));
    }

    /// <summary>Returns the generator's <c>random()</c>: one 32-bit engine output.</summary>
    /// <returns>A uniform 32-bit value.</returns>
    public uint NextUInt32() => _engine.NextUInt32();

    /// <summary>Returns the generator's <c>random64()</c>: two engine outputs, the first in the high 32 bits.</summary>
    /// <returns>A uniform 64-bit value.</returns>
    public ulong NextUInt64()
    {
        ulong high = _engine.NextUInt32();
        ulong low = _engine.NextUInt32();
        return (high << 32) | low;
    }

    /// <summary>
    /// Returns <c>torch.randperm(n, generator=g)</c> on the CPU: a Fisher–Yates pass in which position i swaps with
    /// i + <c>random() % (n − i)</c>, for i = 0 … n − 2 (PyTorch's kernel for n below 2^32 / 20, unchanged from 1.x to 2.x).
    /// </summary>
    /// <param name="n">The number of items, 0 … 214,748,364.</param>
    /// <returns>A permutation of 0 … n − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or so large that PyTorch draws 64-bit values instead.</exception>
    public int[] Permutation(int n)
    {
        if (n < 0 || n >= uint.MaxValue / 20)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"randperm is ported for 0 ≤ n < {uint.MaxValue / 20}.");
        var permutation = new int[n];
        for (int i = 0; i < n; i++)
            permutation[i] = i;
        for (int i = 0; i < n - 1; i++)
        {
            int z = (int)(NextUInt32() % (uint)(n - i));
            (permutation[i], permutation[i + z]) = (permutation[i + z], permutation[i]);
        }
        return permutation;
    }

    /// <summary>Returns one element of <c>torch.rand(n, generator=g)</c> for float32: the low 24 bits of <c>random()</c> times 2^-24.</summary>
    /// <returns>A value in [0, 1).</returns>
    public float NextFloat() => (NextUInt32() & 0xFFFFFFu) * (1.0f / 16777216.0f);

    /// <summary>Returns one <c>at::uniform_real_distribution&lt;double&gt;(0, 1)</c> draw (also <c>torch.rand</c> for float64): the low 53 bits of <c>random64()</c> times 2^-53.</summary>
    /// <returns>A value in [0, 1).</returns>
    public double NextDouble() => (NextUInt64() & ((1UL << 53) - 1)) * (1.0 / 9007199254740992.0);

    /// <summary>
    /// Returns one element of <c>Tensor.exponential_(1, generator=g)</c> on the CPU, before the cast to the tensor's
    /// dtype: <c>-log1p(-u)</c> with <c>u</c> from <see cref="NextDouble"/>.
    /// </summary>
    /// <returns>A standard exponential variate, zero only when <c>u</c> is zero.</returns>
    /// <remarks>
    /// <c>log1p</c> is a port of glibc's, including the FMA build that glibc selects on x86-64 CPUs with FMA and AVX2,
    /// so the double matches libtorch on Linux bit for bit. libtorch on Windows or macOS calls another C library, whose
    /// result can differ in the last bit; after rounding to float32 that almost never shows.
    /// </remarks>
    public double NextExponential() => -Log1p(-NextDouble());

    /// <summary>
    /// Draws one category as the 2022 lectures' <c>torch.multinomial(p, 1, replacement=True, generator=g)</c> did on the
    /// CPU in PyTorch 1.x: the inverse CDF with one <see cref="NextDouble"/> per draw.
    /// </summary>
    /// <param name="weights">Unnormalised non-negative float32 weights, one per category (a row of probabilities or counts).</param>
    /// <returns>The index of the first category whose normalised cumulative weight is not below the uniform draw.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="weights"/> is empty, holds a negative or non-finite entry, or sums to zero.
    /// </exception>
    /// <remarks>
    /// As in PyTorch 1.x's <c>multinomial_with_replacement_apply</c>, the cumulative sums are accumulated in float32,
    /// divided by their total in float32, the last one is forced to 1, and a binary search finds the first index
    /// whose cumulative value is not below the double uniform.
    /// </remarks>
    public int SampleLecture(ReadOnlySpan<float> weights)
    {
        Span<float> cumulative = weights.Length <= StackallocLimit ? stackalloc float[weights.Length] : new float[weights.Length];
        LectureCumulative(weights, cumulative);
        return SampleLectureCumulative(cumulative);
    }

    /// <summary>
    /// The first half of <see cref="SampleLecture"/>: checks the weights and writes their normalised float32 cumulative sums,
    /// the last forced to 1. A sampler that draws many times from one row computes this once.
    /// </summary>
    /// <exception cref="ArgumentException">The weights are empty, hold a negative or non-finite entry, or sum to zero.</exception>
    internal static void LectureCumulative(ReadOnlySpan<float> weights, Span<float> cumulative)
    {
        int count = weights.Length;
        if (count == 0)
        {
            throw new ArgumentException("The weight vector must not be empty.", nameof(weights));
        }

        float sum = 0f;
        for (int j = 0; j < count; j++)
        {
            float value = weights[j];
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"Weight {j} is {value}; weights must be finite.", nameof(weights));
            }

            if (value < 0f)
            {
                throw new ArgumentException($"Weight {j} is {value}; weights must be non-negative.", nameof(weights));
            }

            sum += value;
            cumulative[j] = sum;
        }

        if (!(sum > 0f))
        {
            throw new ArgumentException("The weights sum to zero.", nameof(weights));
        }

        for (int j = 0; j < count; j++)
        {
            cumulative[j] /= sum;
        }

        cumulative[count - 1] = 1f;
    }

    /// <summary>The second half of <see cref="SampleLecture"/>: one <see cref="NextDouble"/>, then a binary search of the cumulative row.</summary>
    internal int SampleLectureCumulative(ReadOnlySpan<float> cumulative)
    {
        double uniform = NextDouble();
        int left = 0;
        int right = cumulative.Length;
        while (right - left > 0)
        {
            int mid = left + ((right - left) / 2);
            if (cumulative[mid] < uniform)
            {
                left = mid + 1;
            }
            else
            {
                right = mid;
            }
        }

        return left;
    }

    /// <summary>
    /// Draws one category as current PyTorch (2.x) and TorchSharp 0.107 <c>torch.multinomial(p, 1, generator=g)</c> do on
    /// the CPU: <c>argmax(p / q)</c> with <c>q</c> a float32 <c>exponential_(1)</c> draw per category.
    /// </summary>
    /// <param name="weights">Unnormalised non-negative float32 weights, one per category (a row of probabilities or counts).</param>
    /// <returns>The index of the first maximum of <c>weights[i] / q[i]</c>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="weights"/> is empty, holds a negative or non-finite entry, or sums to zero.
    /// </exception>
    /// <remarks>
    /// Every category consumes one <see cref="NextExponential"/> (two engine outputs), in index order, whatever its
    /// weight. Each <c>q[i]</c> is rounded to float32 and the quotient is a float32 division, as in the tensor code;
    /// a zero weight over a zero <c>q</c> is NaN, which <c>argmax</c> ranks above everything.
    /// </remarks>
    public int SampleTorch(ReadOnlySpan<float> weights)
    {
        int count = weights.Length;
        if (count == 0)
        {
            throw new ArgumentException("The weight vector must not be empty.", nameof(weights));
        }

        // PyTorch validates the whole tensor (max < inf, min >= 0, sum != 0) before it draws anything.
        bool anyPositive = false;
        for (int j = 0; j < count; j++)
        {
            float value = weights[j];
            if (!(value >= 0f) || float.IsPositiveInfinity(value))
            {
                throw new ArgumentException($"Weight {j} is {value}; weights must be finite and non-negative.", nameof(weights));
            }

            anyPositive |= value > 0f;
        }

        if (!anyPositive)
        {
            throw new ArgumentException("The weights sum to zero.", nameof(weights));
        }

        int best = -1;
        float bestScore = 0f;
        bool bestIsNaN = false;
        for (int j = 0; j < count; j++)
        {
            float q = (float)NextExponential();
            float score = weights[j] / q;
            if (bestIsNaN)
            {
                continue;
            }

            if (float.IsNaN(score))
            {
                best = j;
                bestIsNaN = true;
            }
            else if (best < 0 || score > bestScore)
            {
                best = j;
                bestScore = score;
            }
        }

        return best;
    }

    // glibc's log1p (sysdeps/ieee754/dbl-64/s_log1p.c, from fdlibm), which libtorch reaches through std::log1p.
    // .NET has no true log1p (double.LogP1 is Math.Log(x + 1)). On x86-64 glibc picks, by IFUNC, a build compiled
    // with FMA contraction when the CPU has FMA and AVX2; the fused operations below are exactly where that build's
    // machine code fuses, and without FMA they round after the product as the baseline build does.
    private static double Log1p(double x)
    {
        const double Ln2Hi = 6.93147180369123816490e-01;
        const double Ln2Lo = 1.90821492927058770002e-10;
        const double Lp1 = 6.666666666666735130e-01;
        const double Lp2 = 3.999999999940941908e-01;
        const double Lp3 = 2.857142874366239149e-01;
        const double Lp4 = 2.222219843214978396e-01;
        const double Lp5 = 1.818357216161805012e-01;
        const double Lp6 = 1.531383769920937332e-01;
        const double Lp7 = 1.479819860511658591e-01;

        int hx = HighWord(x);
        int ax = hx & 0x7fffffff;
        int k = 1;
        int hu = 0;
        double f = 0;
        double c = 0;
        if (hx < 0x3FDA827A)
        {
            // x < 0.41422
            if (ax >= 0x3ff00000)
            {
                // x <= -1
                return x == -1.0 ? double.NegativeInfinity : double.NaN;
            }

            if (ax < 0x3e200000)
            {
                // |x| < 2^-29
                return ax < 0x3c900000 ? x : MultiplyAdd(-(x * x), 0.5, x);
            }

            if (hx > 0 || hx <= unchecked((int)0xbfd2bec3))
            {
                // -0.2929 < x < 0.41422
                k = 0;
                f = x;
                hu = 1;
            }
        }
        else if (hx >= 0x7ff00000)
        {
            return x + x;
        }

        if (k != 0)
        {
            double u;
            if (hx < 0x43400000)
            {
                u = 1.0 + x;
                hu = HighWord(u);
                k = (hu >> 20) - 1023;
                c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
                c /= u;
            }
            else
            {
                u = x;
                hu = HighWord(u);
                k = (hu >> 20) - 1023;
                c = 0;
            }

            hu &= 0x000fffff;
            if (hu < 0x6a09e)
            {
                u = WithHighWord(u, hu | 0x3ff00000);
            }
            else
            {
                k += 1;
                u = WithHighWord(u, hu | 0x3fe00000);
                hu = (0x00100000 - hu) >> 2;
            }

            f = u - 1.0;
        }

        double dk = k;
        double hfsq = 0.5 * f * f;
        if (hu == 0)
        {
            // |f| < 2^-20
            if (f == 0.0)
            {
                return k == 0 ? 0.0 : MultiplyAdd(dk, Ln2Hi, MultiplyAdd(dk, Ln2Lo, c));
            }

            double r0 = hfsq * MultiplyAdd(-f, 0.66666666666666666, 1.0);
            return k == 0 ? f - r0 : MultiplyAdd(dk, Ln2Hi, -((r0 - MultiplyAdd(dk, Ln2Lo, c)) - f));
        }

        double s = f / (2.0 + f);
        double z = s * s;
        double z2 = z * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double r2 = MultiplyAdd(z, Lp3, Lp2);
        double r3 = MultiplyAdd(z, Lp5, Lp4);
        double r4 = MultiplyAdd(z, Lp7, Lp6);
        double r = MultiplyAdd(z6, r4, MultiplyAdd(z4, r3, MultiplyAdd(z, Lp1, z2 * r2)));
        return k == 0
            ? f - (hfsq - (s * (hfsq + r)))
            : MultiplyAdd(dk, Ln2Hi, -((hfsq - ((s * (hfsq + r)) + MultiplyAdd(dk, Ln2Lo, c))) - f));
    }

    private static double MultiplyAdd(double a, double b, double c) =>
        GlibcUsesFma ? Math.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    private static int HighWord(double x) => (int)(BitConverter.DoubleToUInt64Bits(x) >> 32);

    private static double WithHighWord(double x, int high) =>
        BitConverter.UInt64BitsToDouble(((ulong)(uint)high << 32) | (BitConverter.DoubleToUInt64Bits(x) & 0xFFFFFFFFUL));
}

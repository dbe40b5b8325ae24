namespace Makemore.ML.Sampling;

/// <summary>
/// The reference 32-bit Mersenne Twister (Matsumoto and Nishimura, <c>mt19937ar.c</c>, 2002), the engine
/// behind both CPython's <c>random.Random</c> and PyTorch's CPU generator.
/// </summary>
/// <remarks>
/// A freshly constructed instance is seeded with <c>init_genrand(5489)</c>, like the reference code.
/// Not thread-safe.
/// </remarks>
internal sealed class Mt19937
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0dfu;
    private const uint UpperMask = 0x80000000u;
    private const uint LowerMask = 0x7fffffffu;

    private readonly uint[] _state = new uint[N];
    private int _index;

    /// <summary>Creates a generator seeded with the reference default, <c>init_genrand(5489)</c>.</summary>
    public Mt19937()
        : this(5489u)
    {
    }

    /// <summary>Creates a generator seeded with <c>init_genrand(seed)</c>.</summary>
    /// <param name="seed">The 32-bit seed.</param>
    public Mt19937(uint seed)
    {
        InitGenrand(seed);
    }

    /// <summary>Re-seeds the state from one 32-bit value (<c>init_genrand</c>).</summary>
    /// <param name="seed">The 32-bit seed.</param>
    public void InitGenrand(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked((1812433253u * (previous ^ (previous >> 30))) + (uint)i);
        }

        _index = N;
    }

    /// <summary>Re-seeds the state from an array of 32-bit words (<c>init_by_array</c>).</summary>
    /// <param name="key">The seed words; must not be empty.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty.</exception>
    public void InitByArray(ReadOnlySpan<uint> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("The seed key must contain at least one word.", nameof(key));
        }

        InitGenrand(19650218u);
        int i = 1;
        int j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked((_state[i] ^ ((previous ^ (previous >> 30)) * 1664525u)) + key[j] + (uint)j);
            i++;
            j++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }

            if (j >= key.Length)
            {
                j = 0;
            }
        }

        for (int k = N - 1; k > 0; k--)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked((_state[i] ^ ((previous ^ (previous >> 30)) * 1566083941u)) - (uint)i);
            i++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }
        }

        _state[0] = 0x80000000u; // MSB is 1, assuring a non-zero initial state.
        _index = N;
    }

    /// <summary>Returns the next tempered 32-bit output (<c>genrand_int32</c>).</summary>
    /// <returns>A uniformly distributed 32-bit value.</returns>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            Twist();
        }

        uint y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        uint[] mt = _state;
        int kk = 0;
        for (; kk < N - M; kk++)
        {
            uint y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
            mt[kk] = mt[kk + M] ^ (y >> 1) ^ ((y & 1u) * MatrixA);
        }

        for (; kk < N - 1; kk++)
        {
            uint y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
            mt[kk] = mt[kk + (M - N)] ^ (y >> 1) ^ ((y & 1u) * MatrixA);
        }

        uint last = (mt[N - 1] & UpperMask) | (mt[0] & LowerMask);
        mt[N - 1] = mt[M - 1] ^ (last >> 1) ^ ((last & 1u) * MatrixA);
        _index = 0;
    }
}

namespace Makemore.ML.Sampling;

/// <summary>
/// A bit-exact port of the parts of CPython 3's <c>random.Random</c> that makemore uses
/// (<c>seed</c> with an integer, <c>getrandbits</c>, <c>_randbelow</c>, <c>shuffle</c>, <c>random</c>), so that
/// <c>random.seed(42); random.shuffle(words)</c> splits a dataset exactly as the lectures do.
/// </summary>
/// <remarks>Matches CPython 3.2 and later (checked against CPython 3.11). Not thread-safe.</remarks>
public sealed class PythonRandom
{
    private readonly Mt19937 _engine = new();

    /// <summary>Creates a generator in the state of <c>random.seed(seed)</c> for an integer seed.</summary>
    /// <param name="seed">
    /// The seed. CPython seeds <c>init_by_array</c> with the absolute value split into 32-bit words, least
    /// significant first (<c>[0]</c> for zero), so <paramref name="seed"/> and <c>-seed</c> give the same stream.
    /// </param>
    public PythonRandom(long seed)
    {
        ulong magnitude = seed < 0 ? unchecked(0UL - (ulong)seed) : (ulong)seed;
        uint low = unchecked((uint)magnitude);
        uint high = (uint)(magnitude >> 32);
        uint[] key = high == 0 ? [low] : [low, high];
        _engine.InitByArray(key);
    }

    /// <summary>Returns <c>random.getrandbits(bitCount)</c>: a uniform integer with <paramref name="bitCount"/> random bits.</summary>
    /// <param name="bitCount">The number of bits, 0 to 64.</param>
    /// <returns>A value in [0, 2^<paramref name="bitCount"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bitCount"/> is outside 0..64.</exception>
    public ulong GetRandBits(int bitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitCount, 64);
        if (bitCount == 0)
        {
            return 0;
        }

        if (bitCount <= 32)
        {
            return _engine.NextUInt32() >> (32 - bitCount);
        }

        // CPython fills 32-bit words least significant first; the last word keeps its top bits.
        ulong low = _engine.NextUInt32();
        ulong high = _engine.NextUInt32() >> (64 - bitCount);
        return (high << 32) | low;
    }

    /// <summary>Returns <c>random._randbelow(n)</c>: a uniform integer in [0, <paramref name="n"/>), by rejection on <c>getrandbits(n.bit_length())</c>.</summary>
    /// <param name="n">The exclusive upper bound; must be positive.</param>
    /// <returns>A value in [0, <paramref name="n"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public int RandBelow(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int bitCount = 32 - int.LeadingZeroCount(n);
        ulong r = GetRandBits(bitCount);
        while (r >= (ulong)n)
        {
            r = GetRandBits(bitCount);
        }

        return (int)r;
    }

    /// <summary>Shuffles <paramref name="items"/> in place exactly as <c>random.shuffle(items)</c> does (Fisher–Yates from the end).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The list to shuffle.</param>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = RandBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Returns <c>random.random()</c>: a uniform double in [0, 1) with 53 random bits.</summary>
    /// <returns>A value in [0, 1).</returns>
    public double Random()
    {
        uint a = _engine.NextUInt32() >> 5;
        uint b = _engine.NextUInt32() >> 6;
        return ((a * 67108864.0) + b) * (1.0 / 9007199254740992.0);
    }
}

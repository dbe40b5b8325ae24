namespace Makemore.ML.Counting;

/// <summary>
/// Division of n-gram keys by a fixed number (V, or a power of V): for keys below 2^32, one 64×64-bit multiply by
/// ⌈2^64 / d⌉, exact for every 32-bit dividend (Lemire, Kaser &amp; Kurz 2019); larger keys take the hardware divide.
/// Building the count levels divides every key, and a 64-bit <c>div</c> was a sizeable part of it.
/// </summary>
internal readonly struct Divisor
{
    private readonly ulong _d;
    private readonly ulong _magic; // ⌈2^64 / d⌉; 0 for d = 1, which needs no multiply

    public Divisor(ulong d)
    {
        ArgumentOutOfRangeException.ThrowIfZero(d);
        _d = d;
        _magic = d == 1 || d > uint.MaxValue ? 0 : ulong.MaxValue / d + 1;
    }

    /// <summary>⌊n / d⌋.</summary>
    public ulong Divide(ulong n) => n <= uint.MaxValue && _magic != 0 ? Math.BigMul(_magic, n, out _) : n / _d;

    /// <summary>n mod d.</summary>
    public ulong Remainder(ulong n) => n - Divide(n) * _d;
}

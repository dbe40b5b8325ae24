using System.Globalization;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>Sizes in bytes as flags write them: <c>500M</c>, <c>2G</c>, <c>64K</c>, plain bytes, or <c>none</c> (0: no limit).</summary>
internal static class MemorySize
{
    /// <summary>Parses a size; <paramref name="flag"/> names the flag in the error.</summary>
    /// <exception cref="FormatException">Not a size.</exception>
    public static long Parse(string text, string flag)
    {
        string t = text.Trim().ToUpperInvariant();
        if (t is "NONE" or "0")
            return 0;
        long unit = t.EndsWith('K') ? 1L << 10 : t.EndsWith('M') ? 1L << 20 : t.EndsWith('G') ? 1L << 30 : t.EndsWith('T') ? 1L << 40 : 1;
        string number = unit == 1 ? t : t[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || value * unit >= long.MaxValue)
            throw new FormatException($"{flag} '{text}': expected a size such as 500M, 2G or 65536 (bytes), or none.");
        return (long)Math.Ceiling(value * unit);
    }

    /// <summary>The short form of a size: <c>none</c> for 0, else the largest unit that divides it.</summary>
    public static string Format(long bytes) => bytes switch
    {
        0 => "none",
        _ when bytes % (1L << 30) == 0 => (bytes >> 30).ToString(CultureInfo.InvariantCulture) + "G",
        _ when bytes % (1L << 20) == 0 => (bytes >> 20).ToString(CultureInfo.InvariantCulture) + "M",
        _ when bytes % (1L << 10) == 0 => (bytes >> 10).ToString(CultureInfo.InvariantCulture) + "K",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };
}

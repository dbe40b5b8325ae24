using System.Runtime.CompilerServices;

namespace Makemore.ML.Text;

/// <summary>
/// The left-padded context, written once: the window of the <c>n</c> ids before a position of an item, padded on the
/// left with the boundary id 0 (the lectures' <c>context = [0] * block_size</c>, then shift; the item ends with the
/// boundary too, the end token), and its key, the window read as a base-V number with the oldest id most significant.
/// Window models fill and shift windows; the count models keep the key instead, updated in place as the window slides.
/// </summary>
internal static class ContextWindow
{
    /// <summary>The id before an item's first id and after its last (the end token).</summary>
    public const int Boundary = 0;

    /// <summary>The id at a position of the boundary-padded item: <see cref="Boundary"/> before its first id and from its end on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int At(ReadOnlySpan<int> ids, int position) => (uint)position < (uint)ids.Length ? ids[position] : Boundary;

    /// <summary>Writes the window of the <c>window.Length</c> ids before <paramref name="position"/>, oldest first.</summary>
    public static void Fill(ReadOnlySpan<int> ids, int position, Span<int> window)
    {
        int start = position - window.Length;
        for (int j = 0; j < window.Length; j++)
            window[j] = At(ids, start + j);
    }

    /// <summary>Moves a window one position on: drops its oldest id and appends <paramref name="next"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Shift<T>(Span<T> window, T next)
    {
        if (window.IsEmpty)
            return;
        window[1..].CopyTo(window);
        window[^1] = next;
    }

    /// <summary>The key of a window: base <paramref name="v"/>, oldest id most significant.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public static ulong Key(ReadOnlySpan<int> window, int v)
    {
        ulong key = 0;
        foreach (int id in window)
        {
            if ((uint)id >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(window), id, $"Id outside the vocabulary of {v} symbols.");
            key = Append(key, v, id);
        }
        return key;
    }

    /// <summary>The key of the window of <paramref name="length"/> ids before <paramref name="position"/> of the padded item (ids not checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(ReadOnlySpan<int> ids, int position, int length, int v)
    {
        ulong key = 0;
        for (int j = position - length; j < position; j++)
            key = Append(key, v, At(ids, j));
        return key;
    }

    /// <summary>The key of a window with one more id: <paramref name="id"/> appended as the least significant digit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Append(ulong key, int v, int id) => key * (ulong)v + (ulong)id;

    /// <summary>
    /// The key of the window of <paramref name="length"/> ids before <c>position + 1</c>: the oldest id of
    /// <paramref name="key"/> is dropped by subtraction once the window is full (a 64-bit modulo per symbol cost more than
    /// the rest of the step).
    /// </summary>
    /// <param name="key">The key of the window before <paramref name="position"/> with the id at <paramref name="position"/> appended.</param>
    /// <param name="ids">The item.</param>
    /// <param name="position">The position just read.</param>
    /// <param name="length">The window's length (n − 1 for an n-gram).</param>
    /// <param name="oldestWeight">V^length, the weight of the dropped id.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Slide(ulong key, ReadOnlySpan<int> ids, int position, int length, ulong oldestWeight)
    {
        int oldest = position - length;
        return oldest < 0 ? key : key - (ulong)At(ids, oldest) * oldestWeight;
    }

    /// <summary>Writes the window whose key is <paramref name="key"/>, oldest first.</summary>
    public static void Decode(ulong key, int v, Span<int> window)
    {
        for (int i = window.Length - 1; i >= 0; i--)
        {
            window[i] = (int)(key % (ulong)v);
            key /= (ulong)v;
        }
    }

    /// <summary>V^e: the number of keys of windows of <paramref name="e"/> ids (unchecked: callers keep it below 2^64).</summary>
    public static ulong Pow(int v, int e)
    {
        ulong r = 1;
        for (int i = 0; i < e; i++)
            r *= (ulong)v;
        return r;
    }
}

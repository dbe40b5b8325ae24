using System.Buffers;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Counting;

/// <summary>
/// The raw counts of one order: the distinct n-grams' keys (base V, oldest symbol most significant) in ascending order,
/// each with its count. Low orders are counted in a table indexed by key; higher ones by sorting the events' keys and
/// reading the runs, in chunks of bounded size: on the names a radix sort of the 228k 6-gram keys costs no more than a
/// dictionary update per event, leaves no large arrays behind, and hands the levels their keys already in order.
/// </summary>
internal sealed class NGramCounts
{
    /// <summary>Events sorted at a time (8 MB of keys, as much again to sort them): larger inputs are merged chunk by chunk.</summary>
    internal const int ChunkEvents = 1 << 20;

    private NGramCounts(ulong[] keys, int[] counts)
    {
        Keys = keys;
        Counts = counts;
    }

    /// <summary>The distinct n-grams' keys, ascending.</summary>
    public ulong[] Keys { get; }

    /// <summary>Each key's count (at least 1).</summary>
    public int[] Counts { get; }

    /// <summary>The number of distinct n-grams.</summary>
    public int Distinct => Keys.Length;

    /// <summary>The number of events counted.</summary>
    public long Events
    {
        get
        {
            long sum = 0;
            foreach (int count in Counts)
                sum += count;
            return sum;
        }
    }

    /// <summary>The count of a key (0 when unseen).</summary>
    public int this[ulong key]
    {
        get
        {
            int at = Keys.AsSpan().BinarySearch(key);
            return at >= 0 ? Counts[at] : 0;
        }
    }

    /// <summary>
    /// Counts the n-grams of id sequences (characters only, no boundary ids): each item is padded with n − 1 boundary
    /// ids (0) in front and one behind (the end token).
    /// </summary>
    /// <param name="v">The vocabulary size.</param>
    /// <param name="order">n.</param>
    /// <param name="sequences">One id array per item.</param>
    /// <param name="chunkEvents">Events sorted at a time (tests make it small to exercise the merge).</param>
    /// <param name="memoryBudget">
    /// Bytes the counting may hold (0: no limit): the chunk being sorted takes at most a quarter, the sorted runs merged so
    /// far at most a quarter (and as much again while two merge); when they reach it they are spilled to a temporary
    /// folder (<see cref="SpilledRuns"/>) and merged at the end. The result itself is not part of the budget.
    /// </param>
    /// <param name="spillFolder">Where the temporary folder goes (default: the system's temporary folder).</param>
    /// <param name="spills">How many runs were spilled (0 when the counts stayed in memory).</param>
    public static NGramCounts Count(int v, int order, IEnumerable<int[]> sequences, int chunkEvents, long memoryBudget, string? spillFolder, out int spills)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkEvents, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryBudget);
        spills = 0;
        ulong space = ContextWindow.Pow(v, order);
        if (space <= DenseLimit)
        {
            int[] table = ArrayPool<int>.Shared.Rent((int)space);
            try
            {
                var dense = new DenseSink(table, (int)space);
                ForEachKey(v, order, sequences, ref dense);
                return FromTable(table.AsSpan(0, (int)space));
            }
            finally
            {
                ArrayPool<int>.Shared.Return(table);
            }
        }
        if (memoryBudget == 0)
        {
            var chunks = new ChunkSink(chunkEvents, BitsBelow(space), null, 0);
            ForEachKey(v, order, sequences, ref chunks);
            return chunks.ToCounts();
        }
        // A chunk costs 12 bytes an event while it is sorted (the key and its run length); a run 12 bytes a distinct key.
        int boundedChunk = (int)Math.Clamp(memoryBudget / 4 / 12, 16, chunkEvents);
        using var runs = new SpilledRuns(spillFolder ?? Path.GetTempPath(), (int)Math.Min(int.MaxValue, memoryBudget / 4 / SpilledRuns.FanIn));
        var bounded = new ChunkSink(boundedChunk, BitsBelow(space), runs, Math.Max(PairBytes, memoryBudget / 4));
        ForEachKey(v, order, sequences, ref bounded);
        var counts = bounded.ToCounts();
        spills = runs.Written;
        return counts;
    }

    /// <summary>Counts the n-grams of id sequences in memory, chunk by chunk (see the overload with a memory budget).</summary>
    /// <param name="v">The vocabulary size.</param>
    /// <param name="order">n.</param>
    /// <param name="sequences">One id array per item.</param>
    /// <param name="chunkEvents">Events sorted at a time (tests make it small to exercise the merge).</param>
    public static NGramCounts Count(int v, int order, IEnumerable<int[]> sequences, int chunkEvents = ChunkEvents) =>
        Count(v, order, sequences, chunkEvents, memoryBudget: 0, spillFolder: null, out _);

    private const int PairBytes = 12;

    /// <summary>
    /// Orders with at most this many possible n-grams (V^n: the bigram's 729, the trigram's 19,683 at V = 27) are counted
    /// in a table indexed by key, read back in key order: the table stays in cache, where sorting would move every event.
    /// </summary>
    internal const int DenseLimit = 1 << 16;

    /// <summary>Where <see cref="ForEachKey"/> puts each event's key (a struct: the call is inlined, not a delegate per event).</summary>
    private interface IKeySink
    {
        void Add(ulong key);
    }

    /// <summary>
    /// Every event's key, item by item: n − 1 boundary ids (0) in front of each item and one behind (the end token).
    /// </summary>
    private static void ForEachKey<TSink>(int v, int order, IEnumerable<int[]> sequences, ref TSink sink)
        where TSink : struct, IKeySink
    {
        int history = order - 1;
        ulong oldestWeight = ContextWindow.Pow(v, history);
        foreach (int[] ids in sequences)
        {
            ulong context = 0; // all boundary padding
            for (int i = 0; i <= ids.Length; i++)
            {
                int target = ContextWindow.At(ids, i);
                if ((uint)target >= (uint)v)
                    throw new ArgumentException($"Id {target} is outside the vocabulary of {v} symbols.", nameof(sequences));
                ulong key = ContextWindow.Append(context, v, target);
                sink.Add(key);
                context = ContextWindow.Slide(key, ids, i, history, oldestWeight);
            }
        }
    }

    private readonly struct DenseSink : IKeySink
    {
        private readonly int[] _counts; // pooled: longer than the table, whose keys are all below its length

        public DenseSink(int[] counts, int length)
        {
            _counts = counts;
            counts.AsSpan(0, length).Clear();
        }

        public void Add(ulong key) => _counts[(int)key] = checked(_counts[(int)key] + 1);
    }

    /// <summary>
    /// Keys into a pooled chunk (grown as needed up to the chunk size), each full chunk sorted and merged in; with spilled
    /// runs, the merged counts go to a temporary file whenever they reach <paramref name="spillBytes"/>.
    /// </summary>
    private struct ChunkSink(int chunkEvents, int keyBits, SpilledRuns? spilled, long spillBytes) : IKeySink
    {
        private ulong[] _chunk = ArrayPool<ulong>.Shared.Rent(Math.Min(chunkEvents, 4096));
        private int _filled;
        private Accumulator _merged;

        public void Add(ulong key)
        {
            if (_filled == _chunk.Length)
            {
                if (_filled >= chunkEvents)
                {
                    _merged.Add(_chunk.AsSpan(0, _filled), keyBits);
                    _filled = 0;
                    if (spilled is not null && _merged.Bytes >= spillBytes)
                        _merged.SpillTo(spilled);
                }
                else
                {
                    ulong[] larger = ArrayPool<ulong>.Shared.Rent(Math.Min(chunkEvents, 2 * _chunk.Length));
                    _chunk.AsSpan(0, _filled).CopyTo(larger);
                    ArrayPool<ulong>.Shared.Return(_chunk);
                    _chunk = larger;
                }
            }
            _chunk[_filled++] = key;
        }

        public NGramCounts ToCounts()
        {
            _merged.Add(_chunk.AsSpan(0, _filled), keyBits);
            ArrayPool<ulong>.Shared.Return(_chunk);
            _chunk = [];
            var inMemory = _merged.ToCounts();
            return spilled is { Any: true } ? spilled.MergeWith(inMemory.Keys, inMemory.Counts) : inMemory;
        }
    }

    // A dense table's nonzero counts, in key order.
    private static NGramCounts FromTable(ReadOnlySpan<int> counts)
    {
        int distinct = 0;
        foreach (int count in counts)
            if (count != 0)
                distinct++;
        var keys = new ulong[distinct];
        var values = new int[distinct];
        for (int key = 0, at = 0; key < counts.Length; key++)
        {
            if (counts[key] != 0)
            {
                keys[at] = (ulong)key;
                values[at++] = counts[key];
            }
        }
        return new NGramCounts(keys, values);
    }

    /// <summary>
    /// Sorts <paramref name="keys"/> and reads its runs in place: the distinct keys move to the front, each one's number
    /// of occurrences into <paramref name="runs"/> (at least as long as the keys). Returns how many distinct keys there are.
    /// </summary>
    internal static int SortAndCountRuns(Span<ulong> keys, Span<int> runs, int keyBits)
    {
        RadixSort.Sort(keys, [], keyBits);
        int distinct = 0;
        for (int i = 0; i < keys.Length;)
        {
            int j = i + 1;
            while (j < keys.Length && keys[j] == keys[i])
                j++;
            keys[distinct] = keys[i];
            runs[distinct++] = j - i;
            i = j;
        }
        return distinct;
    }

    /// <summary>The bits of the largest key below <paramref name="limit"/> (V^n for the keys of order n).</summary>
    public static int BitsBelow(ulong limit) => 64 - System.Numerics.BitOperations.LeadingZeroCount(limit - 1);

    /// <summary>Counts already in ascending key order with distinct keys (kept, not copied).</summary>
    public static NGramCounts FromSorted(ulong[] keys, int[] counts) => new(keys, counts);

    /// <summary>Counts given as (key, count) pairs in any order, as a saved model holds them; a repeated key is an error.</summary>
    public static NGramCounts FromPairs(ulong[] keys, int[] counts, int keyBits)
    {
        RadixSort.Sort(keys, counts, keyBits);
        for (int i = 1; i < keys.Length; i++)
            if (keys[i] == keys[i - 1])
                throw new InvalidDataException($"The n-gram key {keys[i]} is counted twice; the counts are damaged.");
        return new NGramCounts(keys, counts);
    }

    /// <summary>
    /// Sorted runs merged so far, as a binary counter: each chunk is sorted, read as runs and pushed; two runs merge
    /// when the newer has grown to half the older's size, so a key is merged O(log chunks) times, not once per chunk.
    /// </summary>
    private struct Accumulator
    {
        private List<(ulong[] Keys, int[] Counts)>? _runs;

        /// <summary>Bytes the runs hold (12 a distinct key).</summary>
        public readonly long Bytes => _runs?.Sum(r => (long)PairBytes * r.Keys.Length) ?? 0;

        /// <summary>Merges the runs into one, writes it to <paramref name="spilled"/> and forgets them.</summary>
        public void SpillTo(SpilledRuns spilled)
        {
            var merged = ToCounts();
            spilled.Write(merged.Keys, merged.Counts);
            _runs = null;
        }

        public void Add(Span<ulong> events, int keyBits)
        {
            int[] runs = ArrayPool<int>.Shared.Rent(Math.Max(1, events.Length));
            int distinct = SortAndCountRuns(events, runs, keyBits);
            _runs ??= [];
            _runs.Add((events[..distinct].ToArray(), runs.AsSpan(0, distinct).ToArray()));
            ArrayPool<int>.Shared.Return(runs);
            while (_runs.Count >= 2 && 2 * _runs[^1].Keys.Length >= _runs[^2].Keys.Length)
                MergeTopTwo(_runs);
        }

        public readonly NGramCounts ToCounts()
        {
            if (_runs is null)
                return new([], []);
            while (_runs.Count >= 2)
                MergeTopTwo(_runs);
            return new(_runs[0].Keys, _runs[0].Counts);
        }

        private static void MergeTopTwo(List<(ulong[] Keys, int[] Counts)> runs)
        {
            var (newer, older) = (runs[^1], runs[^2]);
            runs.RemoveRange(runs.Count - 2, 2);
            runs.Add(Merge(older.Keys, older.Counts, newer.Keys, newer.Counts));
        }

        private static (ulong[], int[]) Merge(ulong[] keys, int[] counts, ReadOnlySpan<ulong> moreKeys, ReadOnlySpan<int> moreCounts)
        {
            int shared = 0;
            for (int i = 0, j = 0; i < keys.Length && j < moreKeys.Length;)
            {
                if (keys[i] < moreKeys[j])
                    i++;
                else if (keys[i] > moreKeys[j])
                    j++;
                else
                {
                    shared++;
                    i++;
                    j++;
                }
            }
            var outKeys = new ulong[keys.Length + moreKeys.Length - shared];
            var outCounts = new int[outKeys.Length];
            int a = 0, b = 0, o = 0;
            while (a < keys.Length || b < moreKeys.Length)
            {
                if (b == moreKeys.Length || a < keys.Length && keys[a] < moreKeys[b])
                {
                    outKeys[o] = keys[a];
                    outCounts[o++] = counts[a++];
                }
                else if (a == keys.Length || moreKeys[b] < keys[a])
                {
                    outKeys[o] = moreKeys[b];
                    outCounts[o++] = moreCounts[b++];
                }
                else
                {
                    outKeys[o] = keys[a];
                    outCounts[o++] = checked(counts[a++] + moreCounts[b++]);
                }
            }
            return (outKeys, outCounts);
        }
    }
}

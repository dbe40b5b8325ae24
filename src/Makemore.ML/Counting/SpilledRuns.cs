using System.Buffers.Binary;

namespace Makemore.ML.Counting;

/// <summary>
/// Sorted runs of (key, count) pairs kept in temporary files while counting within a memory budget, merged at the end.
/// At most <see cref="FanIn"/> runs are open at a time: the 16th merges them all into one. The files leave nothing on
/// disk whatever happens: on Linux and macOS each is unlinked as soon as it is created (its data lives in the open handle
/// until disposal or the process's end, even a killed one), and the folder is removed at once; on Windows they are
/// opened delete-on-close and the folder is deleted on disposal.
/// </summary>
internal sealed class SpilledRuns : IDisposable
{
    /// <summary>Runs open at a time before they are merged into one.</summary>
    public const int FanIn = 16;

    private const int PairBytes = 12; // key (uint64) and count (int32), little-endian
    private readonly string _parent;
    private readonly int _bufferBytes;
    private readonly List<FileStream> _runs = [];
    private string? _folder; // Windows: the folder of the open runs, deleted on disposal
    private int _next;

    /// <summary>Runs in a new folder under <paramref name="parent"/>, read and written through buffers of <paramref name="bufferBytes"/>.</summary>
    public SpilledRuns(string parent, int bufferBytes)
    {
        _parent = parent;
        _bufferBytes = Math.Clamp(bufferBytes, 4096, 1 << 20);
    }

    /// <summary>How many runs were written (merges included).</summary>
    public int Written { get; private set; }

    /// <summary>Whether any run was written.</summary>
    public bool Any => _runs.Count > 0;

    /// <summary>Writes one run of distinct ascending keys with their counts.</summary>
    public void Write(ReadOnlySpan<ulong> keys, ReadOnlySpan<int> counts)
    {
        var file = NewFile();
        var output = new BufferedStream(file, _bufferBytes); // not disposed: that would close the file, which must stay open
        Span<byte> pair = stackalloc byte[PairBytes];
        for (int i = 0; i < keys.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(pair, keys[i]);
            BinaryPrimitives.WriteInt32LittleEndian(pair[8..], counts[i]);
            output.Write(pair);
        }
        output.Flush();
        _runs.Add(file);
        Written++;
        if (_runs.Count >= FanIn)
            MergeOpenRuns();
    }

    /// <summary>
    /// The sum of every run and the in-memory one (<paramref name="keys"/>, <paramref name="counts"/>): distinct ascending
    /// keys, read twice (once to size the arrays, once to fill them), so the result is allocated once at its size.
    /// </summary>
    public NGramCounts MergeWith(ulong[] keys, int[] counts)
    {
        int distinct = 0;
        Merge(keys, counts, (_, _) => distinct = checked(distinct + 1));
        var outKeys = new ulong[distinct];
        var outCounts = new int[distinct];
        int at = 0;
        Merge(keys, counts, (key, count) =>
        {
            outKeys[at] = key;
            outCounts[at++] = count;
        });
        return NGramCounts.FromSorted(outKeys, outCounts);
    }

    // The open runs merged into one new run.
    private void MergeOpenRuns()
    {
        var merged = NewFile();
        var output = new BufferedStream(merged, _bufferBytes); // not disposed: the file stays open
        byte[] pair = new byte[PairBytes];
        Merge([], [], (key, count) =>
        {
            BinaryPrimitives.WriteUInt64LittleEndian(pair, key);
            BinaryPrimitives.WriteInt32LittleEndian(pair.AsSpan(8), count);
            output.Write(pair);
        });
        output.Flush();
        foreach (var run in _runs)
            run.Dispose();
        _runs.Clear();
        _runs.Add(merged);
        Written++;
    }

    // A k-way merge of the open runs (from their starts) and one in-memory run; equal keys' counts are summed.
    private void Merge(ulong[] keys, int[] counts, Action<ulong, int> emit)
    {
        var readers = _runs.Select(run => new RunReader(run, _bufferBytes)).ToList();
        var queue = new PriorityQueue<int, ulong>(readers.Count + 1);
        for (int r = 0; r < readers.Count; r++)
            if (readers[r].MoveNext())
                queue.Enqueue(r, readers[r].Key);
        int memory = 0;
        while (queue.Count > 0 || memory < keys.Length)
        {
            ulong key = memory < keys.Length ? keys[memory] : ulong.MaxValue;
            if (queue.TryPeek(out _, out ulong fileKey) && fileKey < key)
                key = fileKey;
            int count = 0;
            if (memory < keys.Length && keys[memory] == key)
                count = counts[memory++];
            while (queue.TryPeek(out int r, out ulong k) && k == key)
            {
                queue.Dequeue();
                count = checked(count + readers[r].Count);
                if (readers[r].MoveNext())
                    queue.Enqueue(r, readers[r].Key);
            }
            emit(key, count);
        }
    }

    private FileStream NewFile()
    {
        _folder ??= Directory.CreateDirectory(Path.Combine(_parent, $"makemore-counts-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        string path = Path.Combine(_folder, $"run-{_next++}.bin");
        if (OperatingSystem.IsWindows())
            return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, 1, FileOptions.DeleteOnClose);
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
        File.Delete(path); // unlinked: the data lives in the open handle
        Directory.Delete(_folder);
        _folder = null;
        return stream;
    }

    /// <summary>Closes the runs (their data goes with them) and removes the folder if one is left.</summary>
    public void Dispose()
    {
        foreach (var run in _runs)
            run.Dispose();
        _runs.Clear();
        if (_folder is not null && Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
        _folder = null;
    }

    /// <summary>Reads one run from its start through a buffer.</summary>
    private sealed class RunReader(FileStream file, int bufferBytes)
    {
        private readonly byte[] _buffer = new byte[bufferBytes - bufferBytes % PairBytes];
        private int _at, _filled;
        private bool _started;

        public ulong Key { get; private set; }

        public int Count { get; private set; }

        public bool MoveNext()
        {
            if (!_started)
            {
                file.Position = 0;
                _started = true;
            }
            if (_at == _filled)
            {
                _filled = 0;
                int read;
                while (_filled < _buffer.Length && (read = file.Read(_buffer, _filled, _buffer.Length - _filled)) > 0)
                    _filled += read;
                _at = 0;
                if (_filled == 0)
                    return false;
                if (_filled % PairBytes != 0)
                    throw new InvalidDataException("A temporary run of counts ends in the middle of a pair.");
            }
            Key = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_at));
            Count = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_at + 8));
            _at += PairBytes;
            return true;
        }
    }
}

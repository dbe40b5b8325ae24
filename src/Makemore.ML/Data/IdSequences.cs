namespace Makemore.ML.Data;

/// <summary>
/// Id sequences held in one buffer and the offsets between them, not in an array per item: a byte per id while every id
/// is 0–255 (any vocabulary of at most 256 symbols), an int otherwise. 709k training names of 14 characters take 13 MB
/// this way, 65 MB as arrays (24 bytes of header and 8 of reference each). Each item read is a new array, the caller's to keep.
/// </summary>
internal sealed class IdSequences : IReadOnlyList<int[]>
{
    private readonly byte[]? _bytes;
    private readonly int[]? _ints;
    private readonly int[] _starts;

    private IdSequences(byte[]? bytes, int[]? ints, int[] starts)
    {
        _bytes = bytes;
        _ints = ints;
        _starts = starts;
    }

    /// <summary>How many items.</summary>
    public int Count => _starts.Length - 1;

    /// <summary>The ids of every item, together.</summary>
    public long TotalLength => _starts[^1];

    /// <summary>The ids of item <paramref name="index"/>, as a new array.</summary>
    public int[] this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            int start = _starts[index], length = _starts[index + 1] - start;
            var ids = new int[length];
            if (_bytes is not null)
                for (int i = 0; i < length; i++)
                    ids[i] = _bytes[start + i];
            else
                _ints.AsSpan(start, length).CopyTo(ids);
            return ids;
        }
    }

    /// <inheritdoc/>
    public IEnumerator<int[]> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Gathers the items in order; <see cref="ToSequences"/> then hands them out in buffers of their exact size.</summary>
    public sealed class Builder
    {
        private byte[]? _bytes = new byte[1024];
        private int[]? _ints;
        private int[] _starts = new int[257];
        private int _count;
        private int _length;

        /// <summary>Appends an item.</summary>
        /// <exception cref="InvalidOperationException">The items' ids together pass int.MaxValue.</exception>
        public void Add(ReadOnlySpan<int> ids)
        {
            if (_length > int.MaxValue - ids.Length)
                throw new InvalidOperationException($"The items hold more than {int.MaxValue:N0} ids together: too many to train on at once.");
            if (_bytes is not null)
                foreach (int id in ids)
                    if ((uint)id > byte.MaxValue)
                    {
                        Widen();
                        break;
                    }
            int end = _length + ids.Length;
            if (_bytes is not null)
            {
                if (end > _bytes.Length)
                    Array.Resize(ref _bytes, Grown(_bytes.Length, end));
                for (int i = 0; i < ids.Length; i++)
                    _bytes[_length + i] = (byte)ids[i];
            }
            else
            {
                if (end > _ints!.Length)
                    Array.Resize(ref _ints, Grown(_ints.Length, end));
                ids.CopyTo(_ints.AsSpan(_length));
            }
            if (_count + 2 > _starts.Length)
                Array.Resize(ref _starts, Grown(_starts.Length, _count + 2));
            _length = end;
            _starts[++_count] = end;
        }

        /// <summary>The items added so far; the builder is not to be used afterwards.</summary>
        public IdSequences ToSequences()
        {
            var sequences = new IdSequences(_bytes?[.._length], _ints?[.._length], _starts[..(_count + 1)]);
            (_bytes, _ints, _starts) = (null, null, []);
            return sequences;
        }

        // An id over 255: every id so far moves to an int each.
        private void Widen()
        {
            _ints = new int[Math.Max(1024, _bytes!.Length)];
            for (int i = 0; i < _length; i++)
                _ints[i] = _bytes[i];
            _bytes = null;
        }

        private static int Grown(int length, int needed) => (int)Math.Clamp(Math.Max(2L * length, needed), needed, Array.MaxLength);
    }
}

using System.Text;

namespace Makemore.ML.Data;

/// <summary>
/// Names held in one buffer and the offsets between them, not as a string each: a byte per character while every
/// character is U+0000–U+00FF, a char otherwise. 886k package names of 14 characters take 16 MB this way, 52 MB as strings
/// (20 bytes of header and 8 of reference each). Immutable; each name read is a new string, the caller's to keep.
/// </summary>
internal sealed class NameBuffer : IReadOnlyList<string>
{
    private readonly byte[]? _latin1;
    private readonly char[]? _chars;
    private readonly int[] _starts;

    private NameBuffer(byte[]? latin1, char[]? chars, int[] starts)
    {
        _latin1 = latin1;
        _chars = chars;
        _starts = starts;
    }

    /// <summary>How many names.</summary>
    public int Count => _starts.Length - 1;

    /// <summary>Name <paramref name="index"/>, as a new string.</summary>
    public string this[int index]
    {
        get
        {
            int start = Start(index), length = _starts[index + 1] - start;
            return _latin1 is not null ? Encoding.Latin1.GetString(_latin1, start, length) : new string(_chars!, start, length);
        }
    }

    /// <summary>The length of name <paramref name="index"/> in characters, without reading it.</summary>
    public int LengthOf(int index) => _starts[index + 1] - Start(index);

    /// <summary>The length of each name, in order.</summary>
    public IEnumerable<int> Lengths => Enumerable.Range(0, Count).Select(LengthOf);

    /// <summary>The names at <paramref name="indices"/>, in that order, in a buffer of their own.</summary>
    public NameBuffer Gather(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var builder = new Builder(_latin1 is not null);
        foreach (int i in indices)
            Append(builder, i);
        return builder.ToBuffer();
    }

    /// <summary>The names of at most <paramref name="maxLength"/> characters, in order.</summary>
    public NameBuffer UpTo(int maxLength)
    {
        var builder = new Builder(_latin1 is not null);
        for (int i = 0; i < Count; i++)
            if (LengthOf(i) <= maxLength)
                Append(builder, i);
        return builder.ToBuffer();
    }

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int Start(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _starts[index];
    }

    private void Append(Builder builder, int index)
    {
        int start = Start(index), length = _starts[index + 1] - start;
        if (_latin1 is not null)
            builder.AddLatin1(_latin1.AsSpan(start, length));
        else
            builder.Add(_chars.AsSpan(start, length));
    }

    /// <summary>Gathers names in order; <see cref="ToBuffer"/> then hands them out in buffers of their exact size.</summary>
    public sealed class Builder
    {
        private byte[]? _latin1;
        private char[]? _chars;
        private int[] _starts = new int[257];
        private int _count;
        private int _length;

        /// <summary>A builder that stores a byte per character until a character over U+00FF comes.</summary>
        public Builder()
            : this(latin1: true)
        {
        }

        internal Builder(bool latin1)
        {
            if (latin1)
                _latin1 = new byte[4096];
            else
                _chars = new char[4096];
        }

        /// <summary>Appends a name.</summary>
        /// <exception cref="InvalidOperationException">The names' characters together pass int.MaxValue.</exception>
        public void Add(ReadOnlySpan<char> name)
        {
            int end = Reserve(name.Length);
            if (_latin1 is not null && name.ContainsAnyExceptInRange('\0', '\u00FF'))
                Widen(_length);
            if (_latin1 is not null)
                for (int i = 0; i < name.Length; i++)
                    _latin1[_length + i] = (byte)name[i];
            else
                name.CopyTo(_chars.AsSpan(_length));
            Close(end);
        }

        /// <summary>Appends the text of <paramref name="name"/> (a chunk at a time: no string is made).</summary>
        public void Add(StringBuilder name)
        {
            ArgumentNullException.ThrowIfNull(name);
            int end = Reserve(name.Length);
            int at = _length;
            foreach (var chunk in name.GetChunks())
            {
                var span = chunk.Span;
                if (_latin1 is not null && span.ContainsAnyExceptInRange('\0', '\u00FF'))
                    Widen(at);
                if (_latin1 is not null)
                    for (int i = 0; i < span.Length; i++)
                        _latin1[at + i] = (byte)span[i];
                else
                    span.CopyTo(_chars.AsSpan(at));
                at += span.Length;
            }
            Close(end);
        }

        internal void AddLatin1(ReadOnlySpan<byte> name)
        {
            int end = Reserve(name.Length);
            if (_latin1 is not null)
                name.CopyTo(_latin1.AsSpan(_length));
            else
                for (int i = 0; i < name.Length; i++)
                    _chars![_length + i] = (char)name[i];
            Close(end);
        }

        /// <summary>The names added so far; the builder is not to be used afterwards.</summary>
        public NameBuffer ToBuffer()
        {
            var buffer = new NameBuffer(_latin1?[.._length], _chars?[.._length], _starts[..(_count + 1)]);
            (_latin1, _chars, _starts) = (null, null, []);
            return buffer;
        }

        // Room for `length` more characters and one more offset; the end of the name.
        private int Reserve(int length)
        {
            if (_length > int.MaxValue - length)
                throw new InvalidOperationException($"The names hold more than {int.MaxValue:N0} characters together: too many to hold at once.");
            int end = _length + length;
            if (_latin1 is not null && end > _latin1.Length)
                Array.Resize(ref _latin1, Grown(_latin1.Length, end));
            if (_chars is not null && end > _chars.Length)
                Array.Resize(ref _chars, Grown(_chars.Length, end));
            if (_count + 2 > _starts.Length)
                Array.Resize(ref _starts, Grown(_starts.Length, _count + 2));
            return end;
        }

        private void Close(int end)
        {
            _length = end;
            _starts[++_count] = end;
        }

        // A character over U+00FF: the first `count` characters move to a char each.
        private void Widen(int count)
        {
            _chars = new char[_latin1!.Length];
            for (int i = 0; i < count; i++)
                _chars[i] = (char)_latin1[i];
            _latin1 = null;
        }

        private static int Grown(int length, int needed) => (int)Math.Clamp(Math.Max(2L * length, needed), needed, Array.MaxLength);
    }
}

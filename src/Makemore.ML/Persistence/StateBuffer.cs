using System.Security.Cryptography;

namespace Makemore.ML.Persistence;

/// <summary>
/// A write-only stream that keeps what is written in chunks of a fixed size, none ever copied: the bytes of a state as its
/// codec writes them. A <see cref="MemoryStream"/> doubles its buffer as it grows, so that the 27 MB state of an 8-gram
/// model of 886k names took a 40 MB buffer and left 40 MB of smaller ones behind, beside the model being written.
/// Each chunk is a whole number of <see cref="StateText"/>'s 7-byte groups, so the text is made a chunk at a time.
/// </summary>
internal sealed class StateBuffer : Stream
{
    /// <summary>Bytes in a chunk: 7 × 64 Ki, whole groups of 7 bytes.</summary>
    internal const int ChunkSize = 7 << 16;

    private readonly List<byte[]> _chunks = [];
    private readonly int _chunkSize;
    private long _length;

    /// <summary>An empty buffer of chunks of <see cref="ChunkSize"/> bytes.</summary>
    public StateBuffer()
        : this(ChunkSize)
    {
    }

    /// <summary>An empty buffer of chunks of <paramref name="chunkSize"/> bytes, a multiple of 7 (tests make them small).</summary>
    internal StateBuffer(int chunkSize)
    {
        if (chunkSize <= 0 || chunkSize % 7 != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "A chunk must be a positive multiple of 7 bytes.");
        _chunkSize = chunkSize;
    }

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int at = (int)(_length % _chunkSize);
            if (at == 0)
                _chunks.Add(new byte[_chunkSize]);
            int n = Math.Min(buffer.Length, _chunkSize - at);
            buffer[..n].CopyTo(_chunks[^1].AsSpan(at));
            buffer = buffer[n..];
            _length += n;
        }
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <summary>
    /// Writes the SHA-256 of the bytes from <paramref name="from"/> on over the 32 bytes at <paramref name="at"/>, which
    /// come before them, in the first chunk.
    /// </summary>
    public void WriteHash(int from, int at)
    {
        const int hashSize = 32;
        if (at < 0 || at + hashSize > from || from > _length || from > _chunkSize)
            throw new ArgumentOutOfRangeException(nameof(from), from, "The hash goes before the hashed bytes, in the first chunk.");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long left = _length;
        for (int i = 0; i < _chunks.Count; i++)
        {
            var chunk = _chunks[i].AsSpan(0, (int)Math.Min(left, _chunkSize));
            left -= chunk.Length;
            hash.AppendData(i == 0 ? chunk[from..] : chunk);
        }
        hash.GetHashAndReset(_chunks[0].AsSpan(at, hashSize));
    }

    /// <summary>The bytes written, as <see cref="StateText"/> text after <paramref name="prefix"/>.</summary>
    public string ToText(string prefix) => StateText.Encode(_chunks, _length, prefix);

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}

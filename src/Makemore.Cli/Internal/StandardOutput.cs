using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Makemore.Cli.Internal;

/// <summary>
/// Standard output that notices a reader going away: .NET's console stream ignores a broken pipe, so
/// <c>makemore sample -n 100000000 | head -3</c> would go on sampling for minutes. This writer raises
/// <see cref="OutputClosedException"/> instead, and the command stops.
/// </summary>
internal sealed class StandardOutput : TextWriter
{
    private readonly StreamWriter _inner;

    private StandardOutput(Stream stream) =>
        _inner = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 14) { AutoFlush = false };

    /// <summary>
    /// Standard output as a writer, flushed at every line end so output appears as it is made. Only a pipe (or socket)
    /// gets the broken-pipe check: a FileStream over a regular file would write at its own offsets and overwrite what
    /// other processes append to the same file (<c>makemore train &gt; log 2&gt;&amp;1</c>), so files keep the console stream.
    /// </summary>
    public static TextWriter Open()
    {
        if (OperatingSystem.IsWindows())
            return Console.Out;
        var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (!stream.CanSeek)
            return new StandardOutput(stream);
        stream.Dispose();
        return new StandardOutput(Console.OpenStandardOutput());
    }

    /// <inheritdoc/>
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value) => Guard(() => _inner.Write(value));

    /// <inheritdoc/>
    public override void Write(string? value) => Guard(() => _inner.Write(value));

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Guard(() =>
    {
        _inner.WriteLine(value);
        _inner.Flush();
    });

    /// <inheritdoc/>
    public override void Flush() => Guard(_inner.Flush);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _inner.Dispose();
            }
            catch (IOException)
            {
                // The reader is gone; there is nobody left to tell.
            }
        }
        base.Dispose(disposing);
    }

    private static void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e)
        {
            throw new OutputClosedException(e);
        }
    }
}

/// <summary>The reader of standard output went away (a closed pipe): stop quietly.</summary>
internal sealed class OutputClosedException(Exception inner) : Exception("standard output was closed", inner);

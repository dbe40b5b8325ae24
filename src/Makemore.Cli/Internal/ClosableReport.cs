using System.Text;

namespace Makemore.Cli.Internal;

/// <summary>
/// Standard output for a report that must not stop the work it reports on: when the reader goes away
/// (<c>makemore train … | head -3</c>), writes are dropped instead of throwing, and <see cref="Closed"/> says so, so the
/// command still saves what it made and then exits 141.
/// </summary>
internal sealed class ClosableReport(TextWriter inner) : TextWriter
{
    /// <summary>True once a write failed because standard output was closed.</summary>
    public bool Closed { get; private set; }

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value) => Guard(() => inner.Write(value));

    /// <inheritdoc/>
    public override void Write(string? value) => Guard(() => inner.Write(value));

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    /// <inheritdoc/>
    public override void WriteLine() => Guard(inner.WriteLine);

    /// <inheritdoc/>
    public override void Flush() => Guard(inner.Flush);

    private void Guard(Action write)
    {
        if (Closed)
            return;
        try
        {
            write();
        }
        catch (OutputClosedException)
        {
            Closed = true;
        }
    }
}

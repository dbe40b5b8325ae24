using System.Diagnostics;
using System.Globalization;

namespace Makemore.Cli.Internal;

/// <summary>
/// Progress of a phase of a command that may be long (reading a large file, building examples, scoring a part): nothing
/// when it ends within <see cref="Quiet"/>; otherwise a line on stderr then, one every <see cref="Every"/> while it lasts,
/// and one with its time when it ends. A short run's stderr is unchanged.
/// </summary>
internal sealed class LongPhase : IDisposable
{
    /// <summary>How long a phase runs before it is reported.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    /// <summary>How often a long phase says it is still running.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private readonly TextWriter _error;
    private readonly string _what;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private readonly object _gate = new();
    private bool _reported, _ended;

    private LongPhase(TextWriter error, string what, TimeSpan quiet)
    {
        _error = error;
        _what = what;
        _timer = new Timer(_ => Tick(), null, quiet, Every);
    }

    /// <summary>Starts watching a phase; null (nothing reported) when <paramref name="error"/> is null, i.e. under <c>-q</c>.</summary>
    /// <param name="error">Where the lines go, or null.</param>
    /// <param name="what">The phase, as the lines name it.</param>
    /// <param name="quiet">How long it runs unreported; <see cref="Quiet"/> unless given (tests).</param>
    public static LongPhase? Start(TextWriter? error, string what, TimeSpan? quiet = null) =>
        error is null ? null : new LongPhase(error, what, quiet ?? Quiet);

    private void Tick()
    {
        lock (_gate)
        {
            if (_ended)
                return;
            _reported = true;
            _error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"makemore: {_what}… {_clock.Elapsed.TotalSeconds:F0} s"));
        }
    }

    /// <summary>Ends the phase; a phase that was reported says how long it took.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            if (_ended)
                return;
            _ended = true;
            if (_reported)
                _error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"makemore: {_what}: done in {_clock.Elapsed.TotalSeconds:F1} s"));
        }
    }
}

namespace Makemore.Service;

/// <summary>The request limits of a <see cref="NameService"/>: anything larger is answered with a 400 naming the limit.</summary>
public sealed class NameServiceOptions
{
    /// <summary>The defaults, in one place: the options, <c>makemore serve</c> and the page read them.</summary>
    public static class Defaults
    {
        /// <summary>Most names in one <c>POST /score</c>.</summary>
        public const int MaxBatch = 1_000;

        /// <summary>Longest name (characters) scored, used as a prefix, or generated.</summary>
        public const int MaxNameLength = 64;

        /// <summary>Most names one <c>GET /generate</c> makes.</summary>
        public const int MaxCount = 1_000;

        /// <summary>Most rejected draws in a row (regex, only-new) one <c>GET /generate</c> may ask for.</summary>
        public const int MaxAttempts = 10_000;

        /// <summary>Widest beam one <c>GET /generate</c> may ask for.</summary>
        public const int MaxBeam = 10_000;

        /// <summary>Largest request body, bytes.</summary>
        public const int MaxBodyBytes = 256 * 1024;

        /// <summary>How many completions and next characters <c>GET /complete</c> returns by default.</summary>
        public const int CompleteTop = 5;

        /// <summary>How many names <c>GET /generate</c> makes when <c>count</c> is not given.</summary>
        public const int Count = 10;

        /// <summary>The port <c>makemore serve</c> listens on (loopback) when <c>--port</c> is not given.</summary>
        public const int Port = 5080;
    }

    /// <summary>Most names in one <c>POST /score</c>. Default <see cref="Defaults.MaxBatch"/>.</summary>
    public int MaxBatch { get; init; } = Defaults.MaxBatch;

    /// <summary>Longest name, prefix or generated name, in characters. Default <see cref="Defaults.MaxNameLength"/>.</summary>
    public int MaxNameLength { get; init; } = Defaults.MaxNameLength;

    /// <summary>Most names one <c>GET /generate</c> makes. Default <see cref="Defaults.MaxCount"/>.</summary>
    public int MaxCount { get; init; } = Defaults.MaxCount;

    /// <summary>Most rejected draws in a row one <c>GET /generate</c> may ask for. Default <see cref="Defaults.MaxAttempts"/>.</summary>
    public int MaxAttempts { get; init; } = Defaults.MaxAttempts;

    /// <summary>Widest beam one <c>GET /generate</c> may ask for. Default <see cref="Defaults.MaxBeam"/>.</summary>
    public int MaxBeam { get; init; } = Defaults.MaxBeam;

    /// <summary>Largest request body in bytes. Default <see cref="Defaults.MaxBodyBytes"/>.</summary>
    public int MaxBodyBytes { get; init; } = Defaults.MaxBodyBytes;
}

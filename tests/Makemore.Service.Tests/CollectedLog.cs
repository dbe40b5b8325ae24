using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Makemore.Service.Tests;

/// <summary>A logger provider that keeps every entry in memory, for tests that check what was logged.</summary>
public sealed class CollectedLog : ILoggerProvider
{
    /// <summary>One logged entry.</summary>
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new(category, logLevel, formatter(state, exception), exception));
    }
}

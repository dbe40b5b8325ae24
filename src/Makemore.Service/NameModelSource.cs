using Makemore.ML;
using Makemore.ML.Inference;
using Microsoft.Extensions.Logging;
using Microsoft.ML;

namespace Makemore.Service;

/// <summary>
/// One named model loaded from its file, and, when asked, reloaded when the file is replaced. <see cref="Current"/> is
/// an immutable <see cref="NameService"/>, swapped whole: a request reads it once and keeps that model to its end.
/// </summary>
/// <remarks>
/// Thread safety: a <see cref="NameService"/> is read-only after construction and safe to share between threads. A
/// reload builds the new one completely (file read whole, checksums verified by <c>ml.Makemore().Load</c>, scorers
/// built) before one reference write publishes it (<see cref="Volatile.Write{T}(ref T, T)"/>), so a reader sees the old
/// service or the new one, never a mix. Reloads run one at a time. A file that fails to load publishes nothing: the
/// previous model keeps serving, and the failure is logged with its reason.
/// </remarks>
public sealed class NameModelSource : IDisposable
{
    private readonly NameModelOptions _options;
    private readonly ILogger _logger;
    private readonly MLContext _ml = new();
    private readonly Lock _reloading = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _quiet;
    private NameService _current;
    private bool _disposed;

    internal NameModelSource(string name, NameModelOptions options, ILogger logger)
    {
        Name = name;
        _options = options;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(options.Path))
            throw new InvalidOperationException($"The name model '{name}' has no file: give its path to AddNameModel.");
        Path = System.IO.Path.GetFullPath(options.Path);
        _current = Load(); // the first load throws (a missing or damaged file stops the app at start, not at the first request)
        LoadedAt = DateTimeOffset.UtcNow;
        if (!options.WatchForChanges)
            return;
        // The folder is watched, not the file: a file replaced atomically (written beside it, then renamed over it, as
        // ml.Makemore().Save and makemore train do) is a new file, which a watch on the old one would never see.
        _quiet = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(Path)!) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        _watcher.Created += OnChanged;
        _watcher.Changed += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.Error += (_, e) =>
        {
            _logger.LogWarning(e.GetException(), "Watching {Path} for the name model '{Model}' lost events; reloading it to be sure.", Path, Name);
            Schedule();
        };
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>The name the model is registered and mapped under.</summary>
    public string Name { get; }

    /// <summary>The model file, full path.</summary>
    public string Path { get; }

    /// <summary>The service over the model loaded last; read it once per request.</summary>
    public NameService Current => Volatile.Read(ref _current);

    /// <summary>When <see cref="Current"/> was loaded (UTC).</summary>
    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>Whether the file is watched and reloaded when replaced.</summary>
    public bool WatchesForChanges => _watcher is not null;

    // Renamed reports the new name: the model's when a temporary file is renamed over it.
    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.FullPath, Path, StringComparison.Ordinal))
            Schedule();
    }

    // Every change restarts the wait: the file is read once it has been quiet for ReloadDelay.
    private void Schedule()
    {
        try
        {
            _quiet?.Change(_options.ReloadDelay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // an event that arrives while the app stops
        }
    }

    private void Reload()
    {
        lock (_reloading)
        {
            if (_disposed)
                return;
            NameService next;
            try
            {
                next = Load();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "The name model '{Model}' was not reloaded from {Path}: {Reason} It keeps serving the model loaded at {LoadedAt:u}.",
                    Name, Path, e.Message, LoadedAt);
                return;
            }
            Volatile.Write(ref _current, next);
            LoadedAt = DateTimeOffset.UtcNow;
            _logger.LogInformation("The name model '{Model}' was reloaded from {Path}: {Description}.", Name, Path, next.Model);
        }
    }

    private NameService Load()
    {
        var loaded = _ml.Makemore().Load(Path, out _); // read whole and verified: a damaged or partial file throws here
        return new NameService(MakemoreModel.GetLanguageModel(loaded), PlausibilityTable.From(loaded), _options.Novelty?.Invoke(loaded), _options.Limits);
    }

    /// <summary>Stops watching the file.</summary>
    public void Dispose()
    {
        lock (_reloading)
        {
            _disposed = true;
            _watcher?.Dispose();
            _quiet?.Dispose();
        }
    }
}

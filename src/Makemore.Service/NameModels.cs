using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Makemore.Service;

/// <summary>
/// The name models an app registered with <see cref="NameModelServiceCollectionExtensions.AddNameModel"/>, by name: the
/// singleton that <c>MapNameService(name)</c> and your own code read the current <see cref="NameService"/> from.
/// Each model is loaded the first time it is asked for (<c>MapNameService</c> asks at start), then watched if registered so.
/// </summary>
public sealed class NameModels : IDisposable
{
    private readonly IOptionsMonitor<NameModelOptions> _options;
    private readonly ILoggerFactory _loggers;
    private readonly HashSet<string> _registered;
    private readonly ConcurrentDictionary<string, Lazy<NameModelSource>> _sources = new(StringComparer.Ordinal);

    /// <summary>Created by dependency injection.</summary>
    public NameModels(IOptionsMonitor<NameModelOptions> options, ILoggerFactory loggers, IEnumerable<NameModelRegistration> registrations)
    {
        _options = options;
        _loggers = loggers;
        _registered = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The registered model names.</summary>
    public IReadOnlyCollection<string> Names => _registered;

    /// <summary>The service over the named model as loaded last: read it once per request, and use it for the whole request.</summary>
    /// <exception cref="InvalidOperationException">No model is registered under that name.</exception>
    public NameService Get(string name) => Source(name).Current;

    /// <summary>The named model's source: its file, when it was loaded, whether it is watched.</summary>
    /// <exception cref="InvalidOperationException">No model is registered under that name.</exception>
    public NameModelSource Source(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_registered.Contains(name))
            throw new InvalidOperationException(_registered.Count == 0
                ? $"No name model '{name}' is registered: call builder.Services.AddNameModel(\"{name}\", \"model.zip\") first."
                : $"No name model '{name}' is registered; the registered ones are {string.Join(", ", _registered.Order().Select(n => $"'{n}'"))}.");
        // Lazy: two first requests for a model load it once; a failed first load is thrown to both, and again later.
        return _sources.GetOrAdd(name, n => new Lazy<NameModelSource>(() =>
            new NameModelSource(n, _options.Get(n), _loggers.CreateLogger<NameModels>()))).Value;
    }

    /// <summary>Stops watching every model file.</summary>
    public void Dispose()
    {
        foreach (var source in _sources.Values)
            if (source.IsValueCreated)
                source.Value.Dispose();
    }
}

/// <summary>That a name model is registered under <see cref="Name"/> (one per <c>AddNameModel</c> call).</summary>
/// <param name="Name">The model's name.</param>
public sealed record NameModelRegistration(string Name);

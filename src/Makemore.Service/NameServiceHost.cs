using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Makemore.Service;

/// <summary>Builds the name service as a ready-to-run web app (what <c>makemore serve</c> runs).</summary>
public static class NameServiceHost
{
    /// <summary>The name <see cref="Create(string, string, bool, Action{NameModelOptions}?, LogLevel)"/> registers its model under.</summary>
    public const string ModelName = "model";

    /// <summary>
    /// Creates the app for <paramref name="service"/>, listening on <paramref name="url"/> (e.g. <c>http://127.0.0.1:5080</c>;
    /// port 0 picks a free port: read it from <c>app.Urls</c> after <c>StartAsync</c>). Check a host a user gives with
    /// <see cref="ListenAddress.Parse"/> and pass its <see cref="ListenAddress.Url"/>: Kestrel binds every interface for a
    /// host it cannot parse.
    /// </summary>
    public static WebApplication Create(NameService service, string url, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(url);
        var app = CreateBuilder(url, logLevel).Build();
        app.MapNameService(service);
        return app;
    }

    /// <summary>
    /// Creates the app for the model saved at <paramref name="modelPath"/>, registered as <see cref="ModelName"/>
    /// (<c>AddNameModel</c>) and loaded now (a missing or damaged file throws here), listening on <paramref name="url"/> as
    /// <see cref="Create(NameService, string, LogLevel)"/> does. With <paramref name="watchForChanges"/> the model is
    /// reloaded when its file is replaced, and reloads are logged at <see cref="LogLevel.Information"/>.
    /// </summary>
    public static WebApplication Create(string modelPath, string url, bool watchForChanges = false, Action<NameModelOptions>? configure = null,
        LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(url);
        var builder = CreateBuilder(url, logLevel);
        if (watchForChanges)
            builder.Logging.AddFilter(typeof(NameModels).FullName, LogLevel.Information);
        builder.Services.AddNameModel(ModelName, modelPath, watchForChanges, configure);
        var app = builder.Build();
        app.MapNameService(ModelName);
        return app;
    }

    /// <summary>The loopback address on <paramref name="port"/>: the service is local unless asked otherwise.</summary>
    public static string Loopback(int port) => $"http://127.0.0.1:{port}";

    private static WebApplicationBuilder CreateBuilder(string url, LogLevel logLevel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.WebHost.UseUrls(url);
        return builder;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Makemore.Service;

/// <summary>Builds the name service as a ready-to-run web app (what <c>makemore serve</c> and examples/NameService run).</summary>
public static class NameServiceHost
{
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.WebHost.UseUrls(url);
        // a body a little over the limit is read and answered with a 400 naming it; a much larger one is cut off by Kestrel
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 4L * service.Options.MaxBodyBytes);
        var app = builder.Build();
        app.MapNameService(service);
        return app;
    }

    /// <summary>The loopback address on <paramref name="port"/>: the service is local unless asked otherwise.</summary>
    public static string Loopback(int port) => $"http://127.0.0.1:{port}";
}

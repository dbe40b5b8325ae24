using System.CommandLine;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.Service;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore serve</c>: the name service (generate, score, complete, and its page) over one model zip.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => NameServiceOptions.Defaults.Port }.Within(0, 65535);
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on: 127.0.0.1 (loopback, the default) or, to serve other machines, 0.0.0.0",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var command = new Command("serve", "Serve a model over HTTP: GET / (a page), GET /generate, POST /score, GET /complete. Ctrl+C stops it.\n" +
            "Example: makemore serve -m names-model.zip --port 5080") { model, port, host };
        command.SetAction(parse =>
        {
            var service = NameService.Load(new MLContext(), parse.GetValue(model)!);
            string url = $"http://{parse.GetValue(host)}:{parse.GetValue(port)}";
            using var app = NameServiceHost.Create(service, url);
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            catch (IOException e) when (e.InnerException is SocketException or null)
            {
                throw new CommandFailedException($"cannot listen on {url} ({e.Message}); choose another --port");
            }
            output.WriteLine($"serving {parse.GetValue(model)} ({service.Model}) on {string.Join(", ", app.Urls)}; Ctrl+C stops");
            output.Flush();
            app.WaitForShutdownAsync().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}

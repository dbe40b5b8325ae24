using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.Service;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore serve</c>: the name service (generate, score, complete, and its page) over one model zip.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => NameServiceOptions.Defaults.Port }.Within(0, 65535);
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on: 127.0.0.1 (loopback, the default), localhost, one of this machine's addresses, or 0.0.0.0 / :: (every interface)",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var input = new Option<string?>("--input", "-i") { Description = "Names file for the novelty of generated names (default: the data the model was trained on, from its metadata)" };
        var split = new Option<string?>("--split") { Description = "Split of that file: lecture, random or none (default: the model's)" };
        var splitSeed = CommonOptions.SplitSeed(seedAlias: false);
        var watch = new Option<bool>("--watch")
        {
            Description = "Reload the model when its file is replaced (as train and save write it: renamed over); a file that fails to load leaves the previous model serving, with the reason logged",
        };
        var command = new Command("serve", "Serve a model over HTTP: GET / (a page), GET /generate, POST /score, GET /complete. Ctrl+C stops it.\n" +
            "Example: makemore serve -m names-model.zip --port 5080 --watch") { model, port, host, input, split, splitSeed, watch };
        command.SetAction(parse =>
        {
            ListenAddress address;
            try
            {
                address = ListenAddress.Parse(parse.GetValue(host)!, parse.GetValue(port));
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--host {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}");
            }
            string modelPath = parse.GetValue(model)!;
            if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
                throw new UsageException($"no such model: {modelPath}");
            string? inputPath = parse.GetValue(input), splitName = parse.GetValue(split);
            int? seed = parse.GetResult(splitSeed) is { Implicit: false } ? parse.GetValue(splitSeed) : null;
            string noveltyNote = "";
            string url = address.Url;
            if (!address.IsLoopback)
            {
                error.WriteLine($"makemore: warning: listening on {address.Host} ({(address.IsEveryInterface ? "every interface" : "not only loopback")}): " +
                    "other machines can reach the service, and it has no authentication");
                error.Flush();
            }
            // Registered as an app registers its model (AddNameModel, MapNameService), loaded and verified now; the novelty
            // data follows the metadata of each model loaded, as when the command starts.
            using var app = NameServiceHost.Create(modelPath, url, parse.GetValue(watch),
                options => options.Novelty = loaded => NoveltyData.Load(inputPath, splitName, seed, MakemoreModel.GetMetadata(loaded), out noveltyNote));
            var service = app.Services.GetRequiredService<NameModels>().Get(NameServiceHost.ModelName);
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            catch (IOException e) // Kestrel: "Failed to bind to address …: address already in use"
            {
                throw new CommandFailedException($"cannot listen on {url} ({e.Message}); choose another --port");
            }
            output.WriteLine($"serving {modelPath} ({service.Model}) on {string.Join(", ", app.Urls)}; Ctrl+C stops");
            output.WriteLine(!service.HasNovelty ? $"novelty: not reported ({noveltyNote})" : $"novelty of generated names from {noveltyNote}");
            if (parse.GetValue(watch))
                output.WriteLine($"watching {Path.GetFullPath(modelPath)}: a replaced file is loaded, verified and served; a damaged one is logged and skipped");
            if (!service.HasPlausibility)
                output.WriteLine("plausibility: the model was saved without a plausibility table (an older file); scores carry no percentile");
            output.Flush();
            app.WaitForShutdownAsync().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}

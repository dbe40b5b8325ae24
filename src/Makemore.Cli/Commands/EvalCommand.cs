using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Makemore.Cli.Internal;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore eval</c>: mean NLL of a saved model on a file or one part of its split.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var input = CommonOptions.Input();
        var split = CommonOptions.Split("none");
        var seed = CommonOptions.SplitSeed();
        var part = new Option<string>("--part") { Description = "train, dev or test (with --split lecture|random)", DefaultValueFactory = _ => "test" };
        var json = CommonOptions.Json();
        var command = new Command("eval", "Evaluate a saved model: NLL (nats per predicted character, end token included), bits/char, perplexity.\n" +
            "Example: makemore eval -m names-model.zip --split lecture --part test --json")
        {
            model, input, split, seed, part, json,
        };
        command.SetAction(parse =>
        {
            var protocol = DataFiles.ParseSplit(parse.GetValue(split)!);
            // --part only means something within a split; silently evaluating the whole file instead would mislead.
            if (protocol == ML.Data.SplitProtocol.None && parse.GetResult(part) is { Implicit: false })
                throw new UsageException($"--part {parse.GetValue(part)} needs --split lecture or random (with --split none the whole file is evaluated)");
            string path = DataFiles.Resolve(parse.GetValue(input));
            var parts = DataFiles.Parts(DataFiles.Read(path), protocol, parse.GetValue(seed));
            string wanted = protocol == ML.Data.SplitProtocol.None ? "all" : parse.GetValue(part)!;
            var names = parts.FirstOrDefault(p => p.Part == wanted).Names
                ?? throw new UsageException($"unknown part '{wanted}': use train, dev or test");
            if (names.Count == 0)
                throw new UsageException($"the {wanted} part of {path} is empty: the file is too small for this split");
            var ml = new MLContext();
            var loaded = Models.Load(ml, parse.GetValue(model)!);
            var metrics = ml.Makemore().Evaluate(loaded.Transform(ml.Data.LoadNames(names)));
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["model"] = parse.GetValue(model)!,
                    ["data"] = path,
                    ["split"] = parse.GetValue(split)!,
                    ["part"] = wanted,
                    ["names"] = metrics.ItemCount,
                    ["count"] = metrics.PredictedCharacterCount,
                    ["nll"] = metrics.NllPerCharacter,
                    ["bits_per_char"] = metrics.BitsPerCharacter,
                    ["perplexity"] = metrics.Perplexity,
                }));
                return 0;
            }
            output.WriteLine($"{path}, split {parse.GetValue(split)}, part {wanted}");
            var table = new Table("part", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
            table.Add(wanted, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
            table.Write(output);
            return 0;
        });
        return command;
    }
}

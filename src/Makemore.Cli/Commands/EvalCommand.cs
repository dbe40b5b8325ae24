using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore eval</c>: mean NLL of a saved model on one part of its own split (by default), or of another file or split.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var input = new Option<string?>("--input", "-i") { Description = "Names file, one per line (default: the file the model was trained on, from its provenance)" };
        var split = new Option<string?>("--split") { Description = "lecture, random, none (the whole file) or makemore-py (makemore.py's torch.randperm split: train and test, no dev) (default: the model's own split)" };
        var seed = CommonOptions.SplitSeed();
        var part = new Option<string>("--part") { Description = "train, dev or test of the split", DefaultValueFactory = _ => "test" };
        var json = CommonOptions.Json();
        var command = new Command("eval", "Evaluate a saved model: NLL (nats per predicted character, end token included), bits/char, perplexity.\n" +
            "By default on the test part of the model's own data and split (see 'makemore info').\n" +
            "Example: makemore eval -m names-model.zip --part dev --json")
        {
            model, input, split, seed, part, json,
        };
        command.SetAction(parse =>
        {
            // --part only means something within a split; silently evaluating the whole file instead would mislead.
            if (parse.GetValue(split) == "none" && parse.GetResult(part) is { Implicit: false })
                throw new UsageException($"--part {parse.GetValue(part)} needs --split lecture or random (with --split none the whole file is evaluated)");
            var ml = new MLContext();
            var loaded = Models.Load(ml, parse.GetValue(model)!);
            var data = ModelData.Resolve(DataProvenance.FromMetadata(MakemoreModel.GetMetadata(loaded)), parse.GetValue(input), parse.GetValue(split),
                parse.GetResult(seed) is { Implicit: false } ? parse.GetValue(seed) : null, SplitProtocol.None);
            // The same for a model whose own split is none.
            if (data.Split == SplitProtocol.None && parse.GetResult(part) is { Implicit: false })
                throw new UsageException($"--part {parse.GetValue(part)} needs --split lecture or random (with --split none the whole file is evaluated)");
            string wanted = data.Split == SplitProtocol.None ? "all" : parse.GetValue(part)!;
            var names = data.Parts().FirstOrDefault(p => p.Part == wanted).Names
                ?? throw new UsageException($"unknown part '{wanted}': use train, dev or test");
            if (names.Count == 0)
                throw new UsageException(data.Split == SplitProtocol.MakemorePy && wanted == "dev"
                    ? "makemore.py's split has no dev part (it keeps the checkpoint with the best test loss): use --part test or train"
                    : $"the {wanted} part of {data.Path} is empty: the file is too small for this split");
            var metrics = ml.Makemore().Evaluate(loaded.Transform(ml.Data.LoadNames(names)));
            if (parse.GetValue(json))
            {
                var result = new Dictionary<string, object>
                {
                    ["model"] = parse.GetValue(model)!,
                    ["data"] = data.Path,
                    ["split"] = DataProvenance.NameOf(data.Split),
                    ["split_seed"] = data.SplitSeed,
                    ["part"] = wanted,
                    ["names"] = metrics.ItemCount,
                    ["count"] = metrics.PredictedCharacterCount,
                    ["nll"] = metrics.NllPerCharacter,
                    ["bits_per_char"] = metrics.BitsPerCharacter,
                    ["perplexity"] = metrics.Perplexity,
                };
                if (data.Note is not null)
                    result["note"] = data.Note;
                output.WriteLine(JsonSerializer.Serialize(result));
                return 0;
            }
            output.WriteLine($"{data.Path}, {data.SplitDescription}, part {wanted}");
            if (data.Note is not null)
                output.WriteLine(data.Note);
            var table = new Table("part", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
            table.Add(wanted, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
            table.Write(output);
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Interop;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore import --format makemore-py</c>: a model.pt trained by makemore.py, as a model zip of ours.</summary>
internal static class ImportCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "makemore.py's checkpoint: the model.pt in its --work-dir" };
        var format = new Option<string>("--format") { Description = "makemore-py (karpathy/makemore's makemore.py, commit 988aa59)", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "The words file makemore.py was trained on (its -i): gives the vocabulary, the block size and the split", Required = true };
        var type = new Option<string>("--type") { Description = "makemore.py's --type: transformer, bigram, mlp, rnn, gru or bow", Required = true };
        var heads = new Option<int>("--n-head") { Description = "makemore.py's --n-head (transformer; a state dict does not record it)", DefaultValueFactory = _ => MakemorePyCheckpoint.DefaultHeadCount }.Within(1);
        var seed = new Option<int>("--seed") { Description = "makemore.py's --seed, which drew its train/test split", DefaultValueFactory = _ => NameSplitter.MakemorePySeed }.Within(0);
        var zip = new Option<string>("--output", "-o") { Description = "Model zip to write", Required = true };
        var command = new Command("import", "Bring in a model trained elsewhere. --format makemore-py reads makemore.py's model.pt (a PyTorch state_dict) with its\n" +
            "parameter names, vocabulary (the words file's sorted characters) and block size (longest word + 1), and records makemore.py's\n" +
            "train/test split (torch.randperm with --seed), so that 'makemore eval' scores its test words by default.\n" +
            "Example: makemore import --format makemore-py out/model.pt -i names.txt --type transformer -o imported.zip")
        {
            checkpoint, format, input, type, heads, seed, zip,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(format) != "makemore-py")
                throw new UsageException($"unknown --format '{parse.GetValue(format)}': use makemore-py");
            var pyType = MakemorePyCheckpoint.ParseType(parse.GetValue(type))
                ?? throw new UsageException($"unknown --type '{parse.GetValue(type)}': use transformer, bigram, mlp, rnn, gru or bow (makemore.py's types)");
            string pt = parse.GetValue(checkpoint)!;
            if (!File.Exists(pt))
                throw new UsageException($"no such checkpoint: {pt}");
            string path = DataFiles.Resolve(parse.GetValue(input));
            string target = parse.GetValue(zip)!;
            OutputPaths.Check("--output", target, ("-i", path), ("checkpoint", pt));
            var words = DataFiles.Read(path);
            int splitSeed = parse.GetValue(seed);
            var vocabulary = CharacterVocabulary.Learn(words);
            int blockSize = MakemorePyCheckpoint.BlockSizeOf(words);
            ILanguageModel model;
            using (var stream = File.OpenRead(pt))
                model = MakemorePyCheckpoint.Read(stream, pyType, vocabulary, blockSize, parse.GetValue(heads), pt);

            var parts = DataFiles.Parts(words, SplitProtocol.MakemorePy, splitSeed);
            var trainNames = parts.First(p => p.Part == "train").Names;
            if (trainNames.Count == 0)
                throw new UsageException($"{path} has {words.Count} words: makemore.py's split puts all of fewer than 10 in its test part, leaving nothing it trained on");
            var provenance = DataProvenance.Of(path, words.Count, SplitProtocol.MakemorePy, splitSeed);
            var ml = new MLContext(seed: 0);
            var ids = ml.Transforms.Text.MapCharactersToIds().Fit(ml.Data.LoadNames(words));
            var train = ml.Data.LoadNames(trainNames);
            var metadata = new Dictionary<string, string>
            {
                ["command"] = "makemore " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
                ["imported_from"] = Path.GetFullPath(pt),
                ["makemore_py_flags"] = string.Join(' ', new[] { "--type", MakemorePyCheckpoint.NameOf(pyType) }
                    .Concat(pyType == MakemorePyType.Transformer ? ["--n-head", parse.GetValue(heads).ToString(CultureInfo.InvariantCulture)] : [])
                    .Concat(["--seed", splitSeed.ToString(CultureInfo.InvariantCulture)])),
            };
            foreach (var (key, value) in provenance.ToMetadata())
                metadata[key] = value;
            var fitted = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(ml, model, "Ids", ids.Transform(train)));
            var table = new Table("split", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
            foreach (var (part, names) in parts.Where(p => p.Names.Count > 0))
            {
                var metrics = ml.Makemore().Evaluate(fitted.Transform(ml.Data.LoadNames(names)));
                table.Add(part, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
                metadata[$"{part}_nll"] = metrics.NllPerCharacter.ToString(CultureInfo.InvariantCulture);
                metadata[$"{part}_characters"] = metrics.PredictedCharacterCount.ToString(CultureInfo.InvariantCulture);
            }
            if (PlausibilityTable.From(fitted) is { } plausibility)
                metadata[PlausibilityTable.MetadataKey] = plausibility.ToMetadataValue();
            fitted = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(ml, model, "Ids", ids.Transform(train), metadata));
            ml.Makemore().Save(fitted, train.Schema, target);
            output.WriteLine($"data: {path} ({words.Count:N0} words), {provenance.SplitDescription}");
            output.WriteLine($"model: makemore.py {MakemorePyCheckpoint.NameOf(pyType)} from {pt} → {model}");
            output.WriteLine();
            table.Write(output);
            output.WriteLine();
            output.WriteLine($"saved: {target}");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore interpolate</c>: mix saved models with weights fitted on the dev part; report every part; save.</summary>
internal static class InterpolateCommand
{
    public static Command Create(TextWriter output)
    {
        var models = new Option<string[]>("--model", "-m") { Description = "Two or more model zips trained on the same input file", Required = true, AllowMultipleArgumentsPerToken = true };
        var input = CommonOptions.Input();
        var split = CommonOptions.Split("lecture");
        var seed = CommonOptions.SplitSeed();
        var allowOtherData = new Option<bool>(SameData.OptOutFlag) { Description = "Accept models trained on another file or split (then no figure is a test figure)" };
        var zip = new Option<string>("--output", "-o") { Description = "Where to save the mixture", DefaultValueFactory = _ => "interpolated.zip" };
        var command = new Command("interpolate", "Mix saved models (p = Σ wᵢ pᵢ), weights fitted by EM on the dev part; print train/dev/test NLL and save.\n" +
            "Example: makemore interpolate -m kn6.zip -m wavenet.zip -o mix.zip")
        {
            models, input, split, seed, zip, allowOtherData,
        };
        command.SetAction(parse =>
        {
            string[] paths = parse.GetValue(models)!;
            if (paths.Length < 2)
                throw new UsageException($"give at least two models with -m (got {paths.Length})");
            string target = parse.GetValue(zip)!;
            var protocol = DataFiles.ParseSplit(parse.GetValue(split)!);
            if (protocol == SplitProtocol.None)
                throw new UsageException("the weights are fitted on the dev part: use --split lecture or random");
            string path = DataFiles.Resolve(parse.GetValue(input));
            OutputPaths.Check("--output", target, paths.Select(p => ("-m", (string?)p)).Append(("-i", path)));
            var names = DataFiles.Read(path);
            var parts = DataFiles.Parts(names, protocol, parse.GetValue(seed));
            var provenance = DataProvenance.Of(path, names.Count, protocol, parse.GetValue(seed));
            var ml = new MLContext();
            var loaded = paths.Select(p => Models.Load(ml, p)).ToArray();
            // Every component must be of this file and split: a component fitted on this run's dev or test names would
            // take the weight and make the "test" figure a figure on seen names.
            var mismatches = paths.Select((p, i) => SameData.Require(p, MakemoreModel.GetMetadata(loaded[i]), provenance, "-m", parse.GetValue(allowOtherData)))
                .Where(m => m is not null).ToArray();
            var ids = ml.Transforms.Text.MapCharactersToIds().Fit(ml.Data.LoadNames(names));
            var vocabulary = MakemoreModel.GetVocabulary(ids);
            for (int i = 0; i < loaded.Length; i++)
                if (!MakemoreModel.GetLanguageModel(loaded[i]).Vocabulary.Equals(vocabulary))
                    throw new UsageException($"{paths[i]} was trained on another vocabulary than {path}'s: train every model on the same input file");
            var dev = parts.Single(p => p.Part == "dev").Names;
            if (dev.Count == 0)
                throw new UsageException($"the dev part of {path} is empty: the file is too small to fit weights");
            var fitted = ml.Makemore().Trainers.Interpolate(loaded).Fit(ids.Transform(ml.Data.LoadNames(dev)));
            var mixture = new TransformerChain<ITransformer>(ids, fitted);
            for (int i = 0; i < paths.Length; i++)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weight {fitted.Model.Weights[i]:F4}  {paths[i]}: {MakemoreModel.GetLanguageModel(loaded[i])}"));
            output.WriteLine();
            var table = new Table("split", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
            foreach (var (part, partNames) in parts.Where(p => p.Names.Count > 0))
            {
                var metrics = ml.Makemore().Evaluate(mixture.Transform(ml.Data.LoadNames(partNames)));
                table.Add(part, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
            }
            table.Write(output);
            var metadata = provenance.ToMetadata().ToDictionary();
            metadata["command"] = "makemore " + string.Join(' ', parse.Tokens.Select(t => t.Value));
            for (int i = 0; i < paths.Length; i++)
            {
                metadata[$"component{i + 1}"] = Path.GetFullPath(paths[i]);
                if (DataProvenance.FromMetadata(MakemoreModel.GetMetadata(loaded[i])) is { } theirs)
                    foreach (var (key, value) in theirs.ToMetadata($"component{i + 1}_"))
                        metadata[key] = value;
            }
            if (mismatches.Length > 0)
                metadata["other_data"] = string.Join("; ", mismatches);
            mixture = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(ml, fitted.Model, "Ids", ids.Transform(ml.Data.LoadNames(parts[0].Names)), metadata));
            ml.Makemore().Save(mixture, ml.Data.LoadNames(dev).Schema, target);
            output.WriteLine();
            output.WriteLine(mismatches.Length == 0
                ? $"saved: {target} (weights fitted on the dev part; the test figure is the only one not seen by any fit)"
                : $"saved: {target} (with {SameData.OptOutFlag}: a component was trained on other data, so no figure above is a test figure)");
            return 0;
        });
        return command;
    }
}

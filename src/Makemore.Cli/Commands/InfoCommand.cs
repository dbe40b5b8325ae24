using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Kinds;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore info</c>: what a model zip holds.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var command = new Command("info", "Show what a model zip holds: type, vocabulary, hyper-parameters, and the metrics it was saved with.\n" +
            "Example: makemore info -m names-model.zip") { model };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            var loaded = Models.Load(new MLContext(), path);
            var languageModel = MakemoreModel.GetLanguageModel(loaded);
            output.WriteLine($"file:       {path} ({new FileInfo(path).Length:N0} bytes)");
            output.WriteLine($"model:      {languageModel}");
            if (ModelKinds.Of(languageModel) is { } kind)
                output.WriteLine($"kind:       {kind.Name}: {kind.Description}");
            output.WriteLine($"vocabulary: {languageModel.Vocabulary.Size} symbols: {languageModel.Vocabulary} (policy for unseen characters: {languageModel.Vocabulary.Policy})");
            foreach ((string name, string value) in languageModel.Describe())
                output.WriteLine($"{name + ":",-11} {value}");
            var metadata = MakemoreModel.GetMetadata(loaded);
            // Where the model's figures come from: eval, sample and serve use this file and split by default.
            var provenance = DataProvenance.FromMetadata(metadata);
            output.WriteLine($"{"data:",-11} {provenance?.DataDescription ?? "not recorded (fitted through the API, or saved without provenance)"}");
            if (provenance is not null)
                output.WriteLine($"{"split:",-11} {provenance.SplitDescription}");
            if (metadata.Count > 0)
            {
                output.WriteLine("saved with:");
                foreach ((string key, string value) in metadata)
                    output.WriteLine(key == PlausibilityTable.MetadataKey
                        ? $"  {key}: {Summary(PlausibilityTable.Parse(value))}"
                        : $"  {key}: {value}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The plausibility table in one line: its thousand quantiles are data, not something to read.</summary>
    private static string Summary(PlausibilityTable table) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{table.Quantiles.Count:N0} quantiles of NLL/char over {table.NameCount:N0} training names (5% {At(table, 0.05):F3}, median {At(table, 0.5):F3}, 95% {At(table, 0.95):F3})");

    private static double At(PlausibilityTable table, double fraction) => table.Quantiles[(int)Math.Round(fraction * (table.Quantiles.Count - 1))];
}

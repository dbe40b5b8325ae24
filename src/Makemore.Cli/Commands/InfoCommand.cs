using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;

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
            output.WriteLine($"vocabulary: {languageModel.Vocabulary.Size} symbols: {languageModel.Vocabulary} (policy for unseen characters: {languageModel.Vocabulary.Policy})");
            output.WriteLine($"block size: {languageModel.BlockSize} previous characters");
            switch (languageModel)
            {
                case NGramModel ngram:
                    output.WriteLine($"order:      {ngram.Order}");
                    output.WriteLine($"smoothing:  {ngram.Smoothing}");
                    output.WriteLine($"counts:     {ngram.DistinctNGramCount:N0} distinct {ngram.Order}-grams, {ngram.EventCount:N0} events");
                    for (int n = 0; n < ngram.Discounts.Count; n++)
                        output.WriteLine($"discounts:  order {n + 1}: {string.Join(", ", ngram.Discounts[n].Select(d => d.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
                    break;
                case SoftmaxRegressionModel softmax:
                    output.WriteLine($"context:    {softmax.Context}");
                    output.WriteLine($"parameters: {softmax.Weights.Length:N0} (W: {softmax.Weights.Length / softmax.Vocabulary.Size:N0} × {softmax.Vocabulary.Size})");
                    break;
            }
            var metadata = MakemoreModel.GetMetadata(loaded);
            if (metadata.Count > 0)
            {
                output.WriteLine("saved with:");
                foreach ((string key, string value) in metadata)
                    output.WriteLine($"  {key}: {value}");
            }
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore complete</c>: the likely next characters after a prefix, and sampled completions.</summary>
internal static class CompleteCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var prefix = new Argument<string>("prefix") { Description = "The beginning of a name" };
        var top = new Option<int>("--top") { Description = "How many next characters to list", DefaultValueFactory = _ => 5 }.Within(1);
        var count = new Option<int>("--count", "-n") { Description = "How many sampled completions", DefaultValueFactory = _ => 5 }.Within(0);
        var seed = CommonOptions.SampleSeed();
        var command = new Command("complete", "List the most likely next characters after a prefix ('.' = end of name) and sample completions.\n" +
            "Example: makemore complete -m names-model.zip emm") { model, prefix, top, count, seed };
        command.SetAction(parse =>
        {
            var languageModel = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(model)!));
            string text = parse.GetValue(prefix)!;
            var vocabulary = languageModel.Vocabulary;
            Prefixes.Check(text, vocabulary, "the prefix");
            int[] ids = vocabulary.Encode(text);
            var p = new double[vocabulary.Size];
            SequenceScorer.NextProbabilities(languageModel, ids, p);
            var table = new Table("next", "probability");
            foreach (int id in Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(parse.GetValue(top)))
                table.Add(id == 0 ? ". (end)" : vocabulary.SymbolOf(id).ToString(), p[id].ToString("F4", CultureInfo.InvariantCulture));
            table.Write(output);
            output.WriteLine();
            output.WriteLine("completions:");
            // Completions continue the prefix the model sees (under --unknown skip or map, not the one typed), however long it is.
            string seen = vocabulary.Decode(ids);
            var completions = new NameGenerator(languageModel).Enumerate(parse.GetValue(count), new SamplingOptions
            {
                Prefix = seen, Seed = parse.GetValue(seed), MaxLength = Math.Max(seen.Length, NameConstraints.Defaults.MaxLength),
            });
            foreach (string completion in completions)
                output.WriteLine($"  {completion}");
            return 0;
        });
        return command;
    }
}

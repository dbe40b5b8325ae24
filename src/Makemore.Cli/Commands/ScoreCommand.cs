using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.Cli.Commands;

/// <summary>
/// <c>makemore score</c>: log-likelihood and NLL per character of names, through ML.NET's PredictionEngine, and their
/// plausibility percentile among the training names (from the table saved with the model).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var names = new Argument<string[]>("names") { Description = "Names to score", Arity = ArgumentArity.OneOrMore };
        var json = CommonOptions.Json();
        var foldCase = new Option<bool>("--fold-case") { Description = "Lower-case names before scoring (Emma scores as emma)" };
        var unknown = new Option<string?>("--unknown")
        {
            Description = "Characters outside the model's vocabulary (digits, punctuation): error, skip, or map (needs a model trained with --unknown map); default: the model's own policy",
        };
        var command = new Command("score", "Score names with a saved model: log-likelihood (nats), NLL per character, perplexity, and the plausibility\n" +
            "percentile (share of training names with a higher NLL/char: 90 = more plausible than 90% of them).\n" +
            "Example: makemore score -m names-model.zip andrej emma xqzzt")
        {
            model, names, json, foldCase, unknown,
        };
        command.SetAction(parse =>
        {
            var ml = new MLContext();
            var loaded = Models.Load(ml, parse.GetValue(model)!);
            var languageModel = MakemoreModel.GetLanguageModel(loaded);
            UnknownCharacterPolicy? policy = parse.GetValue(unknown) is { } text ? UnknownCharacters.Parse(text) : null;
            var scorer = new NameScorer(languageModel, PlausibilityTable.From(loaded), new NameScorerOptions { FoldCase = parse.GetValue(foldCase), UnknownCharacters = policy });
            if (!parse.GetValue(foldCase) && (policy ?? languageModel.Vocabulary.Policy) == UnknownCharacterPolicy.Error)
                foreach (string name in parse.GetValue(names)!)
                    SuggestFoldCase(name, languageModel.Vocabulary);
            var engine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(loaded);
            var scores = parse.GetValue(names)!.Select(n =>
            {
                var score = engine.Predict(new NameInput { Name = scorer.Normalize(n) });
                return (Name: n, Score: score, Percentile: scorer.Plausibility?.Percentile(score.NllPerCharacter));
            }).ToList();
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(scores.Select(s => new Dictionary<string, object?>
                {
                    ["name"] = s.Name,
                    ["log_likelihood"] = s.Score.LogLikelihood,
                    ["nll_per_char"] = s.Score.NllPerCharacter,
                    ["perplexity"] = s.Score.Perplexity,
                    ["count"] = s.Score.PredictedCharacterCount,
                    ["percentile"] = s.Percentile,
                })));
                return 0;
            }
            var table = new Table("name", "log-likelihood", "NLL/char", "perplexity", "predicted chars", "percentile");
            foreach (var (name, score, percentile) in scores)
                table.Add(name, score.LogLikelihood, score.NllPerCharacter, score.Perplexity, score.PredictedCharacterCount,
                    percentile is double p ? p.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-");
            table.Write(output);
            if (scorer.Plausibility is null)
                output.WriteLine("percentile: not available (the model was saved without a plausibility table; train it again to get one)");
            return 0;
        });
        return command;
    }

    // 'Anna' with a lower-case model: the vocabulary's own error suggests training again or --unknown, when --fold-case
    // is all it takes.
    private static void SuggestFoldCase(string name, CharacterVocabulary vocabulary)
    {
        int i = 0;
        while (i < name.Length && vocabulary.IdOf(name[i]) > 0)
            i++;
        string folded = name.ToLowerInvariant();
        if (i < name.Length && folded.All(c => vocabulary.IdOf(c) > 0))
            throw new UsageException(
                $"'{name}' contains {CharacterVocabulary.Describe(name, i)} at position {i + 1}, which is not in the model's vocabulary ({vocabulary.Size} symbols: {vocabulary}); --fold-case scores it as '{folded}'");
    }
}

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
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var names = new Argument<string[]>("names") { Description = "Names to score (put -- before names that start with - or @)", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<string?>("--input", "-i")
        {
            Description = "Score every line of this file (- for standard input) as it is read: one result per line (TSV, or JSON lines with --json), a row with the error for a name that cannot be scored; exit 1 when any could not",
        };
        var json = CommonOptions.Json();
        var foldCase = new Option<bool>("--fold-case") { Description = "Lower-case names before scoring (Emma scores as emma)" };
        var unknown = new Option<string?>("--unknown")
        {
            Description = "Characters outside the model's vocabulary (digits, punctuation): error, skip, or map (needs a model trained with --unknown map); default: the model's own policy",
        };
        var command = new Command("score", "Score names with a saved model: log-likelihood (nats), NLL per character, perplexity, and the plausibility\n" +
            "percentile (share of training names with a higher NLL/char: 90 = more plausible than 90% of them).\n" +
            "Example: makemore score -m names-model.zip andrej emma xqzzt\n" +
            "         makemore score -m names-model.zip -i names.txt --json > scores.jsonl")
        {
            model, names, input, json, foldCase, unknown,
        };
        command.SetAction(parse =>
        {
            var ml = new MLContext();
            var loaded = Models.Load(ml, parse.GetValue(model)!);
            var languageModel = MakemoreModel.GetLanguageModel(loaded);
            UnknownCharacterPolicy? policy = parse.GetValue(unknown) is { } text ? UnknownCharacters.Parse(text) : null;
            var scorer = new NameScorer(languageModel, PlausibilityTable.From(loaded), new NameScorerOptions { FoldCase = parse.GetValue(foldCase), UnknownCharacters = policy });
            if (!parse.GetValue(foldCase) && (policy ?? languageModel.Vocabulary.Policy) == UnknownCharacterPolicy.Error && parse.GetValue(input) is null)
                foreach (string name in parse.GetValue(names)!)
                    SuggestFoldCase(name, languageModel.Vocabulary);
            if (parse.GetValue(input) is { } file)
                return parse.GetValue(names)!.Length > 0
                    ? throw new UsageException("give names or --input, not both")
                    : Stream(file, scorer, parse.GetValue(json), output, error);
            if (parse.GetValue(names)!.Length == 0)
                throw new UsageException("give the names to score, or --input FILE (- for standard input)");
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

    /// <summary>
    /// Scores every line of <paramref name="path"/> (<c>-</c>: standard input) as it is read, writing one result per line
    /// at once, so memory stays constant whatever the file's size; a line that cannot be scored (a character outside the
    /// vocabulary) gets a row with the reason instead of ending the run.
    /// </summary>
    /// <returns>0 when every line was scored, 1 when any could not (the count is on standard error).</returns>
    private static int Stream(string path, NameScorer scorer, bool asJson, TextWriter output, TextWriter error)
    {
        using var reader = path == "-" ? Console.In : OpenText(path);
        if (!asJson)
            output.WriteLine("name\tlog_likelihood\tnll_per_char\tperplexity\tcount\tpercentile");
        long lines = 0, failed = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lines++;
            string name = line.TrimEnd('\r');
            if (lines == 1)
                name = name.TrimStart('\uFEFF');
            NameJudgement judged;
            try
            {
                judged = scorer.Judge(name);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                failed++;
                output.WriteLine(asJson
                    ? JsonSerializer.Serialize(new Dictionary<string, object?> { ["name"] = name, ["line"] = lines, ["error"] = e.Message })
                    : $"{name}\terror: line {lines}: {e.Message.Split('\n')[0]}");
                continue;
            }
            output.WriteLine(asJson
                ? JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["name"] = name,
                    ["log_likelihood"] = judged.Score.LogLikelihood,
                    ["nll_per_char"] = judged.Score.NllPerCharacter,
                    ["perplexity"] = judged.Score.Perplexity,
                    ["count"] = judged.Score.PredictedCharacterCount,
                    ["percentile"] = judged.Percentile,
                })
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{name}\t{judged.Score.LogLikelihood:R}\t{judged.Score.NllPerCharacter:R}\t{judged.Score.Perplexity:R}\t{judged.Score.PredictedCharacterCount}\t{(judged.Percentile is double p ? p.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-")}"));
        }
        if (failed == 0)
            return 0;
        error.WriteLine($"makemore: {failed:N0} of {lines:N0} names could not be scored (their rows say why)");
        return 1;
    }

    // A missing file or a folder is refused as for every other -i (DataFiles.Resolve).
    private static TextReader OpenText(string path) =>
        new StreamReader(DataFiles.Resolve(path), new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));

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

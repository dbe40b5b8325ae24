using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore score</c>: log-likelihood and NLL per character of names, through ML.NET's PredictionEngine.</summary>
internal static class ScoreCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var names = new Argument<string[]>("names") { Description = "Names to score", Arity = ArgumentArity.OneOrMore };
        var json = CommonOptions.Json();
        var command = new Command("score", "Score names with a saved model: log-likelihood (nats), NLL per character, perplexity.\n" +
            "Example: makemore score -m names-model.zip andrej emma xqzzt")
        {
            model, names, json,
        };
        command.SetAction(parse =>
        {
            var ml = new MLContext();
            var engine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(Models.Load(ml, parse.GetValue(model)!));
            var scores = parse.GetValue(names)!.Select(n => (Name: n, Score: engine.Predict(new NameInput { Name = n }))).ToList();
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(scores.Select(s => new Dictionary<string, object>
                {
                    ["name"] = s.Name,
                    ["log_likelihood"] = s.Score.LogLikelihood,
                    ["nll_per_char"] = s.Score.NllPerCharacter,
                    ["perplexity"] = s.Score.Perplexity,
                    ["count"] = s.Score.PredictedCharacterCount,
                })));
                return 0;
            }
            var table = new Table("name", "log-likelihood", "NLL/char", "perplexity", "predicted chars");
            foreach (var (name, score) in scores)
                table.Add(name, score.LogLikelihood, score.NllPerCharacter, score.Perplexity, score.PredictedCharacterCount);
            table.Write(output);
            return 0;
        });
        return command;
    }
}

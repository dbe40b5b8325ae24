using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;

namespace Makemore.Examples;

/// <summary>The README's example: load, split, fit, evaluate, save, load, score, sample.</summary>
public static class Quickstart
{


    /// <summary>Runs the example on a names file, writing to <paramref name="output"/>.</summary>
    public static void Run(string namesPath, string modelPath, TextWriter output)
    {
        var ml = new MLContext(seed: 42);
        IDataView names = ml.Data.LoadNames(namesPath);
        var (train, dev, test) = ml.Data.SplitNames(names, SplitProtocol.Lecture);

        var pipeline = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: 3, smoothing: Smoothing.KneserNey()));
        var model = pipeline.Fit(train);

        output.WriteLine($"dev:  {ml.Makemore().Evaluate(model.Transform(dev))}");
        output.WriteLine($"test: {ml.Makemore().Evaluate(model.Transform(test))}");

        ml.Makemore().Save(model, train.Schema, modelPath);          // atomic, reproducible, sealed with checksums
        var loaded = new MLContext().Makemore().Load(modelPath, out _); // verified; ml.Model.Load reads it too
        var engine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(loaded);
        foreach (string name in new[] { "andrej", "emma", "xqzzt" })
        {
            var score = engine.Predict(new NameInput { Name = name });
            output.WriteLine($"{name,-8} NLL {score.NllPerCharacter:F3} nats/char");
        }
        output.WriteLine(string.Join(" ", NameGenerator.From(loaded).Generate(8)));
    }

    /// <summary>Entry point: <c>dotnet run --project examples/Quickstart [names.txt]</c>.</summary>
    public static void Main(string[] args) =>
        Run(args.Length > 0 ? args[0] : Path.Combine(FindRepository(), "data", "names.txt"), "quickstart-model.zip", Console.Out);

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Makemore.ML.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Run from inside the repository, or give the path of names.txt.");
    }
}

// Expected output (bundled data/names.txt, lecture split, `dotnet run --project examples/Quickstart`):
// dev:  NLL 2.23327 nats/char (3.2219 bits/char, perplexity 9.330) over 21,248 characters of 2,969 items
// test: NLL 2.23377 nats/char (3.2227 bits/char, perplexity 9.335) over 21,244 characters of 2,970 items
// andrej   NLL 2.360 nats/char
// emma     NLL 2.061 nats/char
// xqzzt    NLL 4.899 nats/char
// mir axx mereyannyaar klellahi el marwiny ron odarin

using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.TorchSharp;
using Microsoft.ML.TorchSharp.NasBert;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Sampling;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Examples;

/// <summary>
/// An ML.NET app that already classifies text with Microsoft.ML.TorchSharp adds Makemore's name models: a count n-gram
/// and the neural softmax regression, composed with <c>Append</c> and scored through prediction engines, in the same
/// <see cref="MLContext"/> and process, on one TorchSharp assembly.
/// </summary>
public static class ExistingApp
{
    /// <summary>A row of the app's existing text-classification data.</summary>
    public sealed class Review
    {
        /// <summary>The text to classify.</summary>
        public string Text { get; set; } = "";

        /// <summary>Its class.</summary>
        public string Label { get; set; } = "";
    }

    /// <summary>Input of the name models.</summary>
    public sealed class NameInput
    {
        /// <summary>The name to score.</summary>
        public string Name { get; set; } = "";
    }

    /// <summary>Output of the name models.</summary>
    public sealed class NameScore
    {
        /// <summary>Mean −ln p per predicted character, in nats.</summary>
        public double NllPerCharacter { get; set; }
    }

    /// <summary>Runs the app on a names file; <paramref name="nameCount"/> keeps only the first names (for tests).</summary>
    public static void Run(string namesPath, int? nameCount, int neuralSteps, TextWriter output)
    {
        var ml = new MLContext(seed: 1);

        // 1. What the app already had: NAS-BERT fine-tuning from Microsoft.ML.TorchSharp. It is only constructed here:
        //    its Fit downloads pretrained weights.
        IDataView reviews = ml.Data.LoadFromEnumerable(new[]
        {
            new Review { Text = "Great product, works as described.", Label = "positive" },
            new Review { Text = "Broke after two days.", Label = "negative" },
        });
        TextClassificationTrainer textClassification = ml.MulticlassClassification.Trainers.TextClassification(labelColumnName: "Label", sentence1ColumnName: "Text");
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(textClassification)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        string version = typeof(TextClassificationTrainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        output.WriteLine($"text classifier: MapValueToKey -> {textClassification.GetType().Name} (Microsoft.ML.TorchSharp {version}) -> {classifier.LastEstimator.GetType().Name}; "
            + $"constructed for {reviews.GetRowCount()} reviews, not fitted");

        // 2. What it adds: name models, trained and scored as any ML.NET model.
        var names = NameList.Read(namesPath);
        var (train, dev, test) = ml.Data.SplitNames(ml.Data.LoadNames(nameCount is int n ? names.Take(n) : names), SplitProtocol.Lecture);
        var characters = ml.Transforms.Text.MapCharactersToIds("Ids", "Name");
        var neuralTrainer = ml.Makemore().Trainers.SoftmaxRegression(blockSize: 2, steps: neuralSteps);
        var models = new (string Name, ITransformer Model)[]
        {
            ("trigram counts, Kneser-Ney", characters.Append(ml.Makemore().Trainers.NGram(order: 3, smoothing: Smoothing.KneserNey())).Fit(train)),
            ($"neural trigram, {neuralSteps} steps", characters.Append(neuralTrainer).Fit(train)),
        };
        foreach (var (name, model) in models)
        {
            var engine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
            var scores = new[] { "emma", "xqzzt" }.Select(x => $"{x} {engine.Predict(new NameInput { Name = x }).NllPerCharacter:F3}");
            output.WriteLine($"{name}: test NLL {ml.Makemore().Evaluate(model.Transform(test)).NllPerCharacter:F4}; {string.Join(", ", scores)}; "
                + $"samples {string.Join(" ", NameGenerator.From(model).Generate(4))}");
        }

        // 3. Both libraries use the same TorchSharp: Microsoft.ML.TorchSharp was compiled against an older one, and the
        //    runtime binds its reference to the one TorchSharp-cpu brought.
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "TorchSharp").ToList();
        AssemblyName mlNetWants = Reference(typeof(TextClassificationTrainer).Assembly);
        AssemblyName makemoreWants = Reference(typeof(SoftmaxRegressionEstimator).Assembly);
        bool same = Assembly.Load(mlNetWants) == Assembly.Load(makemoreWants);
        output.WriteLine($"Microsoft.ML.TorchSharp references TorchSharp {mlNetWants.Version}, Makemore.ML.TorchSharp references TorchSharp {makemoreWants.Version}; "
            + $"both resolve to the same assembly: {same}");
        output.WriteLine($"TorchSharp assemblies loaded: {loaded.Count} ({string.Join(", ", loaded.Select(a => a.GetName().Version))})");
    }

    private static AssemblyName Reference(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Single(a => a.Name == "TorchSharp");

    /// <summary>Entry point: <c>dotnet run --project examples/ExistingApp [names.txt]</c>.</summary>
    public static void Main(string[] args) =>
        Run(args.Length > 0 ? args[0] : Path.Combine(FindRepository(), "data", "names.txt"), nameCount: null, neuralSteps: 300, Console.Out);

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Makemore.ML.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Run from inside the repository, or give the path of names.txt.");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/ExistingApp -- ../shared/data/names.txt`):
// text classifier: MapValueToKey -> TextClassificationTrainer (Microsoft.ML.TorchSharp 0.23.1) -> KeyToValueMappingEstimator; constructed for 2 reviews, not fitted
// trigram counts, Kneser-Ney: test NLL 2.2184; emma 2.062, xqzzt 4.999; samples mio ayteneliyannyabraisemmaloaib marviovania odarimalabelon
// neural trigram, 300 steps: test NLL 2.3394; emma 2.129, xqzzt 4.199; samples miqaavrboorgynniyacpapqkoraen el marwhszerie odduliah
// Microsoft.ML.TorchSharp references TorchSharp 0.102.7.0, Makemore.ML.TorchSharp references TorchSharp 0.107.0.0; both resolve to the same assembly: True
// TorchSharp assemblies loaded: 1 (0.107.0.0)

using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Evaluation;
using Makemore.ML.Sampling;

// A count bigram (Makemore.ML) and the lecture's neural bigram (Makemore.ML.TorchSharp), both built from the packages:
// fit on the lecture split's train part, print dev and test metrics and 5 samples each.
// Usage: dotnet run --project examples/PackageConsumer [-- names.txt]   (default: the repository's data/names.txt)
string namesPath = args.Length > 0 ? args[0] : FindBundledNames();
var ml = new MLContext(seed: 42);
var (train, dev, test) = ml.Data.SplitNames(ml.Data.LoadNames(namesPath), SplitProtocol.Lecture);
Console.WriteLine($"data: {Path.GetRelativePath(Environment.CurrentDirectory, namesPath)}");

var models = new (string Label, IEstimator<ITransformer> Trainer)[]
{
    ("count bigram, add-1", ml.Makemore().Trainers.NGram(order: 2, smoothing: Smoothing.AddK(1))),
    ("neural bigram, 20 steps", ml.Makemore().Trainers.SoftmaxRegression(blockSize: 1, steps: 20)),
};
foreach (var (label, trainer) in models)
{
    var model = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(trainer).Fit(train);
    LanguageModelMetrics devMetrics = ml.Makemore().Evaluate(model.Transform(dev));
    LanguageModelMetrics testMetrics = ml.Makemore().Evaluate(model.Transform(test));
    Console.WriteLine(label);
    Console.WriteLine($"  dev:  {devMetrics}");
    Console.WriteLine($"  test: {testMetrics}");
    Console.WriteLine($"  samples: {string.Join(" ", NameGenerator.From(model).Generate(5))}");
}

// data/names.txt of the repository this example sits in, found from the current directory upwards.
static string FindBundledNames()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "data", "names.txt");
        if (File.Exists(candidate))
            return candidate;
    }
    throw new FileNotFoundException("data/names.txt not found above the current directory; give the names file's path.");
}

// Expected output (bash examples/PackageConsumer/run.sh, from the repository root, after the packing and build lines):
// data: data/names.txt
// count bigram, add-1
//   dev:  NLL 2.46602 nats/char (3.5577 bits/char, perplexity 11.776) over 21,248 characters of 2,969 items
//   test: NLL 2.45758 nats/char (3.5455 bits/char, perplexity 11.677) over 21,244 characters of 2,970 items
//   samples: mor axx minaymorykas kondlaisah andewery
// neural bigram, 20 steps
//   dev:  NLL 2.58127 nats/char (3.7240 bits/char, perplexity 13.214) over 21,248 characters of 2,969 items
//   test: NLL 2.57317 nats/char (3.7123 bits/char, perplexity 13.107) over 21,244 characters of 2,970 items
//   samples: mopa vuaninaynnnyjas kondn isah andiwlly

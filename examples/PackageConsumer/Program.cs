using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Sampling;

// Trains a count bigram and the lecture's neural bigram from the Makemore.ML packages, prints metrics and samples.
string path = args.Length > 0 ? args[0] : Path.Combine("..", "..", "data", "names.txt");
var ml = new MLContext(seed: 0);
var (train, dev, _) = ml.Data.SplitNames(ml.Data.LoadNames(path));
foreach (var (label, trainer) in new (string, IEstimator<ITransformer>)[]
{
    ("count bigram, add-1", ml.Makemore().Trainers.NGram(2, Smoothing.AddK(1))),
    ("neural bigram, 20 steps", ml.Makemore().Trainers.SoftmaxRegression(steps: 20)),
})
{
    var model = ml.Transforms.Text.MapCharactersToIds().Append(trainer).Fit(train);
    Console.WriteLine($"{label}: dev {ml.Makemore().Evaluate(model.Transform(dev))}");
    Console.WriteLine("  " + string.Join(" ", NameGenerator.From(model).Generate(5)));
}

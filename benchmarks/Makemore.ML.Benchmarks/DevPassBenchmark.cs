using System.Diagnostics;
using System.Globalization;
using Makemore.ML.Evaluation;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// One dev pass of a sequence model during training (issue 23), side by side in one process on the same untrained network:
/// whole rows of width T in data order (how examples were held before: names × T × int64), lean examples in chunks of
/// like lengths (today), and the plain C# model that <c>makemore eval</c> scores with. Run as <c>devpass FILE [KIND]</c>;
/// dev is every tenth name of FILE.
/// </summary>
internal static class DevPassBenchmark
{
    public static void Run(IReadOnlyList<string> names, string kindName)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1); // as training does by default (--threads 1)
        var kind = Enum.Parse<SequenceModelKind>(kindName, ignoreCase: true);
        var vocabulary = CharacterVocabulary.Learn(names);
        var dev = names.Where((_, i) => i % 10 == 0).Select(n => vocabulary.Encode(n)).ToList();
        var train = names.Where((_, i) => i % 10 == 1).Take(1000).Select(n => vocabulary.Encode(n)).ToList();
        int block = SequenceExamples.DefaultBlockSize(names.Select(n => vocabulary.Encode(n)));
        var lean = SequenceExamples.Build(dev, block);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind}, dev {dev.Count:N0} names (every tenth), T = {block}; examples: whole rows {2.0 * dev.Count * block * 8 / 1e6:F0} MB, lean {lean.Bytes / 1e6:F1} MB"));
        Console.WriteLine("| dev pass | seconds | dev NLL |");
        Console.WriteLine("|---|---|---|");
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var options = new SequenceModelEstimator.Options { Kind = kind };
        var network = SequenceNetworks.Create(options, vocabulary.Size, block, generator);
        var trainable = new TrainableModel(network.Module, (x, y, w) =>
        {
            long t = y.ge(0).sum(1).max().item<long>();
            return LossTerms.Of(Loss.SequenceNll(network.Forward(x.narrow(1, 0, t)), y.narrow(1, 0, t), w));
        });
        // One step at a negligible learning rate and one evaluation: the evaluation is nearly all of the run's time.
        var training = new TrainingOptions { Steps = 1, EvaluationInterval = 1, LearningRate = 1e-30 };
        var trainSet = new ExampleSet(SequenceExamples.Build(train, block));
        foreach (var (label, set) in new (string, Func<ExampleSet>)[]
        {
            ("whole rows (n, T) int64, data order (before)", () => WholeRows(dev, block)),
            ("lean, chunks of like lengths (now)", () => new ExampleSet(lean)),
        })
        {
            var devSet = set();
            var clock = Stopwatch.StartNew();
            var result = TrainingLoop.Run(trainable, trainSet, training, devSet);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {clock.Elapsed.TotalSeconds:F2} | {result.BestDevLoss:F6} |"));
        }
        var model = network.ToModel(vocabulary);
        var csharp = Stopwatch.StartNew();
        var metrics = LanguageModelEvaluator.Evaluate(model, dev);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| plain C# model (makemore eval's scorer) | {csharp.Elapsed.TotalSeconds:F2} | {metrics.NllPerCharacter:F6} |"));
    }

    private static ExampleSet WholeRows(IReadOnlyList<int[]> items, int block)
    {
        var inputs = new long[(long)items.Count * block];
        var targets = new long[(long)items.Count * block];
        Array.Fill(targets, -1);
        for (int row = 0; row < items.Count; row++)
        {
            for (int i = 0; i < items[row].Length; i++)
            {
                inputs[(long)row * block + i + 1] = items[row][i];
                targets[(long)row * block + i] = items[row][i];
            }
            targets[(long)row * block + items[row].Length] = 0;
        }
        return new ExampleSet(tensor(inputs, [items.Count, block]), tensor(targets, [items.Count, block]));
    }
}

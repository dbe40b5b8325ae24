using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Exercise E02: split the names randomly into 80 % train, 10 % dev, 10 % test; train the bigram and trigram models
/// on train only and evaluate them on dev and test. <see cref="SplitProtocol.Lecture"/> reproduces the lecture's own
/// split (<c>random.seed(42); random.shuffle(words)</c>, later used in the MLP lectures) exactly.
/// </summary>
public static class E02_Splits
{
    /// <summary>Prints the split and the NLL of add-one bigram and trigram models on each part.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        var ml = new MLContext(seed: 0);
        IDataView names = ml.Data.LoadNames(settings.LoadWords());
        var (train, dev, test) = ml.Data.SplitNames(names, SplitProtocol.Lecture);
        foreach (var (part, data) in new[] { ("train", train), ("dev", dev), ("test", test) })
        {
            var rows = ml.Data.CreateEnumerable<NameInput>(data, reuseRowObject: false).ToList();
            output.WriteLine($"{part,-5} {rows.Count,6} names, starting {string.Join(", ", rows.Take(3).Select(r => r.Name))}");
        }

        var ids = ml.Transforms.Text.MapCharactersToIds("Ids", "Name");
        foreach (int order in new[] { 2, 3 })
        {
            var model = ids.Append(ml.Makemore().Trainers.NGram(order, Smoothing.AddK(1))).Fit(train);
            string Nll(IDataView data) => ml.Makemore().Evaluate(model.Transform(data)).NllPerCharacter.ToString("F4");
            output.WriteLine($"order {order}, add-1: train {Nll(train)}  dev {Nll(dev)}  test {Nll(test)}");
        }

        // The neural trigram on the same split (joint context, lr 50, L2 0.01, full batch).
        int steps = settings.Steps(300, 10);
        var neural = ids.Append(ml.Makemore().Trainers.SoftmaxRegression(blockSize: 2, steps: steps)).Fit(train);
        string NeuralNll(IDataView data) => ml.Makemore().Evaluate(neural.Transform(data)).NllPerCharacter.ToString("F4");
        output.WriteLine($"neural trigram, {steps} steps: train {NeuralNll(train)}  dev {NeuralNll(dev)}  test {NeuralNll(test)}");
        output.WriteLine($"predicted characters: train {ml.Makemore().Evaluate(neural.Transform(train)).PredictedCharacterCount:N0}, dev {ml.Makemore().Evaluate(neural.Transform(dev)).PredictedCharacterCount:N0}, test {ml.Makemore().Evaluate(neural.Transform(test)).PredictedCharacterCount:N0}");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- e02 --data ../shared/data/names.txt`):
// train  25626 names, starting yuheng, diondre, xavien
// dev     3203 names, starting amay, aytana, jenevi
// test    3204 names, starting mustafa, reuben, kahlel
// order 2, add-1: train 2.4548  dev 2.4533  test 2.4584
// order 3, add-1: train 2.2156  dev 2.2365  test 2.2373
// neural trigram, 300 steps: train 2.3268  dev 2.3420  test 2.3394
// predicted characters: train 182,625, dev 22,655, test 22,866

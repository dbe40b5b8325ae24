using Microsoft.ML;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// The MLP family and the sequence models at their default sizes, trained for a few steps: what the speed and
/// plausibility tables need of every neural kind (cost per character depends on the sizes, not on the training).
/// </summary>
internal static class BriefNeuralModels
{
    /// <summary>(name, train) for mlp, bn-mlp, wavenet, then rnn, gru, lstm, bow, transformer; each trains <paramref name="steps"/> steps.</summary>
    public static IEnumerable<(string Name, Func<CharacterVocabulary, List<int[]>, List<int[]>, ILanguageModel> Train)> All(int steps)
    {
        foreach (var (kind, type) in new[] { (MlpKind.Mlp, "mlp"), (MlpKind.BatchNormMlp, "bn-mlp"), (MlpKind.WaveNet, "wavenet") })
            yield return (type, (v, t, d) =>
            {
                var options = MlpEstimator.Options.ForLecture(kind);
                (options.Training.Steps, options.Training.EvaluationInterval) = (steps, steps);
                return new MlpEstimator(new MLContext(), options).Train(v, t, d).Model;
            });
        foreach (var kind in Enum.GetValues<SequenceModelKind>())
            yield return (kind == SequenceModelKind.BagOfWords ? "bow" : kind.ToString().ToLowerInvariant(), (v, t, d) =>
            {
                var options = new SequenceModelEstimator.Options { Kind = kind };
                (options.Training.Steps, options.Training.EvaluationInterval) = (steps, steps);
                return new SequenceModelEstimator(new MLContext(), options).Train(v, t, d).Model;
            });
    }
}

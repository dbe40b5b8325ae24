using System.Diagnostics;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>The one training loop of the neural models: forward, <see cref="Loss"/>, backward, update, report.</summary>
internal static class TrainingLoop
{
    /// <summary>What a run needs besides the model and the data.</summary>
    public sealed record Settings(int Steps, double LearningRate, double L2, IProgress<TrainingProgress>? Progress, CancellationToken Cancellation = default);

    /// <summary>
    /// Plain gradient descent, as the lecture: <c>p.data += -lr * p.grad</c>. Stops early, keeping the weights, when
    /// cancelled (the history then has fewer than <see cref="Settings.Steps"/> entries); throws
    /// <see cref="TrainingDivergedException"/> at the first step whose loss is not finite.
    /// </summary>
    /// <param name="model">Maps (batch, block) contexts to (batch, V) logits.</param>
    /// <param name="regularised">The weights the L2 term applies to.</param>
    /// <param name="contexts">(n, block) int64.</param>
    /// <param name="targets">(n) int64.</param>
    /// <param name="weights">(n) float32 event counts.</param>
    /// <param name="batchSize">Rows per step, or null for all of them.</param>
    /// <param name="generator">Draws mini-batches.</param>
    /// <param name="settings">Steps, learning rate, L2, progress.</param>
    public static IReadOnlyList<TrainingProgress> Run(nn.Module<Tensor, Tensor> model, Tensor regularised, Tensor contexts, Tensor targets,
        Tensor weights, int? batchSize, Generator generator, Settings settings)
    {
        var history = new List<TrainingProgress>(settings.Steps);
        var parameters = model.parameters().ToArray();
        var stopwatch = Stopwatch.StartNew();
        long n = targets.shape[0];
        for (int step = 1; step <= settings.Steps && !settings.Cancellation.IsCancellationRequested; step++)
        {
            using var scope = NewDisposeScope();
            Tensor x = contexts, y = targets, w = weights;
            if (batchSize is int b)
            {
                var rows = randint(n, [b], generator: generator); // (b)
                (x, y, w) = (contexts.index_select(0, rows), targets.index_select(0, rows), weights.index_select(0, rows));
            }
            var logits = model.call(x); // (batch, V)
            var dataLoss = Loss.Nll(logits, y, w);
            var loss = settings.L2 > 0 ? dataLoss + Loss.L2(regularised, settings.L2) : dataLoss;
            float lossValue = loss.item<float>();
            if (!float.IsFinite(lossValue))
                throw new TrainingDivergedException(step, settings.Steps, lossValue, settings.LearningRate);
            model.zero_grad();
            loss.backward();
            using (no_grad())
            {
                foreach (var p in parameters)
                    p.add_(p.grad!, alpha: -settings.LearningRate);
            }
            var progress = new TrainingProgress(step, settings.Steps, lossValue, dataLoss.item<float>(), stopwatch.Elapsed);
            history.Add(progress);
            settings.Progress?.Report(progress);
        }
        // The last update can overflow too: its loss would be the next step's, so check the weights themselves.
        using (no_grad())
        {
            if (history.Count > 0 && parameters.Any(p => !p.isfinite().all().item<bool>()))
                throw new TrainingDivergedException(history.Count, settings.Steps, double.NaN, settings.LearningRate);
        }
        return history;
    }
}

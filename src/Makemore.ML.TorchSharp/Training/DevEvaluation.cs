using Makemore.ML.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// The dev evaluations of one <see cref="TrainingLoop"/> run. Without a time limit each scores the whole dev set. Under
/// one, the first evaluation measures how fast dev rows are scored, on the first rows of a seeded random order of them;
/// when the whole set would take longer than the allowance (<see cref="TrainingOptions.EvaluationTimeShare"/> of the
/// limit), the first rows of that order that fit it are the sample every evaluation of the run scores (<see cref="Sample"/>).
/// </summary>
/// <remarks>
/// On a 30M-line corpus (3M dev names) one whole pass of the Transformer took minutes, against a 3-minute limit: the
/// limit's stopping rule (time left less than the last evaluation took) cannot help before the first evaluation is made.
/// </remarks>
internal sealed class DevEvaluation : IDisposable
{
    /// <summary>The share of the allowance spent measuring the rate (the rows measured are scored again in the sample).</summary>
    private const double ProbeShare = 0.1;

    private readonly ExampleSet _dev;
    private readonly TrainingOptions _options;
    private ExampleSet? _scored; // what every evaluation scores, once chosen: the dev set or the sample
    private ExampleSet? _owned; // the sample, whose tensors (a tensor set's) this disposes

    /// <summary>Evaluations of <paramref name="dev"/> under <paramref name="options"/>' time limit, share, seed and chunk size.</summary>
    public DevEvaluation(ExampleSet dev, TrainingOptions options)
    {
        _dev = dev;
        _options = options;
    }

    /// <summary>The sample every evaluation scores, once the first evaluation has chosen one; null: the whole dev set.</summary>
    public DevSample? Sample { get; private set; }

    /// <summary>The rows every evaluation scores, once chosen (a checkpoint records them); null before the first evaluation.</summary>
    public DevRows? Scored => _scored is null ? null : new DevRows(_scored.Count, _dev.Count);

    /// <summary>
    /// Scores the rows a resumed run's checkpoint recorded (<see cref="Checkpoint.DevScored"/>), so that its losses compare
    /// with the checkpoint's best: the whole dev set, or the first <see cref="DevRows.Scored"/> rows of the seed's order,
    /// whatever this run's time limit would choose. Ignored when the dev set is not the one recorded.
    /// </summary>
    public void ScoreAsBefore(DevRows rows)
    {
        if (_scored is not null || rows.Total != _dev.Count)
            return;
        _scored = rows.Scored >= rows.Total ? _dev : TakeSample(SeededOrder(), rows.Scored);
    }

    /// <summary>Mean NLL per predicted character of the model on the dev set, or on its sample (<see cref="TrainingLoop.Evaluate"/>).</summary>
    /// <param name="model">The model, evaluated in eval mode without gradients.</param>
    /// <param name="clock">The run's time so far, to measure the first evaluation's rate.</param>
    public double Evaluate(TrainableModel model, Func<TimeSpan> clock)
    {
        _scored ??= Choose(model, clock);
        return TrainingLoop.Evaluate(model, _scored, _options.EvaluationChunkSize);
    }

    /// <summary>
    /// Rows of <paramref name="total"/> that are scored within <paramref name="allowance"/> at the measured rate
    /// (<paramref name="measured"/> rows in <paramref name="took"/>): all of them when they fit or the rate could not be
    /// measured, else as many as fit but at least <paramref name="minimum"/> (or all, when there are fewer).
    /// </summary>
    public static long SampleSize(long total, long measured, TimeSpan took, TimeSpan allowance, int minimum)
    {
        if (took <= TimeSpan.Zero)
            return total;
        double fits = measured * (allowance / took);
        return fits >= total ? total : Math.Min(total, Math.Max((long)fits, minimum));
    }

    private ExampleSet Choose(TrainableModel model, Func<TimeSpan> clock)
    {
        if (_options.TimeLimit is not TimeSpan limit)
            return _dev;
        var allowance = limit * _options.EvaluationTimeShare;
        long total = _dev.Count;
        long[] order = SeededOrder();
        // The rate: the first rows of the order, a minimum sample at a time, until a tenth of the allowance is spent.
        long measured = 0;
        var started = clock();
        var took = TimeSpan.Zero;
        while (measured < total && took < allowance * ProbeShare)
        {
            long count = Math.Min(TrainingOptions.Defaults.MinimumDevSample, total - measured);
            using (NewDisposeScope())
                TrainingLoop.Evaluate(model, _dev.Subset(order[(int)measured..(int)(measured + count)]), _options.EvaluationChunkSize);
            measured += count;
            took = clock() - started;
        }
        long size = SampleSize(total, measured, took, allowance, TrainingOptions.Defaults.MinimumDevSample);
        return size >= total ? _dev : TakeSample(order, size);
    }

    // The dev rows in the seeded random order every sample is a prefix of.
    private long[] SeededOrder()
    {
        var order = new long[_dev.Count];
        for (long i = 0; i < order.Length; i++)
            order[i] = i;
        new Random(unchecked((int)(_options.Seed % int.MaxValue))).Shuffle(order);
        return order;
    }

    // The first `size` rows of the order, as the sample every evaluation scores.
    private ExampleSet TakeSample(long[] order, long size)
    {
        using (NewDisposeScope())
        {
            _owned = _dev.Subset(order[..(int)size]);
            _owned.Inputs?.DetachFromDisposeScope();
            _owned.Targets?.DetachFromDisposeScope();
            _owned.Weights?.DetachFromDisposeScope();
        }
        Sample = new DevSample(size, _dev.Count, _dev.Sequences is null ? "windows" : "names", _options.Seed);
        return _owned;
    }

    /// <summary>Disposes the sample's tensors (a tensor set's), if a sample was drawn.</summary>
    public void Dispose()
    {
        _owned?.Inputs?.Dispose();
        _owned?.Targets?.Dispose();
        _owned?.Weights?.Dispose();
    }
}

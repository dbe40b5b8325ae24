using Makemore.ML.Text;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// (context, next) training events of id sequences, as the lecture's <c>xs</c>/<c>ys</c>: each item padded with
/// <c>BlockSize</c> boundary ids in front and one behind. Also available deduplicated with counts.
/// </summary>
internal sealed class TrainingExamples
{
    private TrainingExamples(int blockSize, long[] contexts, long[] targets, float[] weights)
    {
        BlockSize = blockSize;
        Contexts = contexts;
        Targets = targets;
        Weights = weights;
    }

    /// <summary>Context length.</summary>
    public int BlockSize { get; }

    /// <summary>Contexts, row-major (Count × BlockSize), oldest id first.</summary>
    public long[] Contexts { get; }

    /// <summary>The id that follows each context.</summary>
    public long[] Targets { get; }

    /// <summary>How many times each event occurs (all 1 unless deduplicated).</summary>
    public float[] Weights { get; }

    /// <summary>Number of events (rows).</summary>
    public int Count => Targets.Length;

    /// <summary>Sum of <see cref="Weights"/>: the number of predicted characters.</summary>
    public double TotalWeight => Weights.Sum(w => (double)w);

    /// <summary>Every event in data order, as the lecture builds <c>xs</c> and <c>ys</c>.</summary>
    public static TrainingExamples Build(IEnumerable<int[]> sequences, int blockSize)
    {
        // Sized once (an event per character and one for the end): list growth held up to twice the final arrays, which
        // at 2,000,000 names is hundreds of MB of int64 contexts.
        var items = sequences as IReadOnlyCollection<int[]> ?? sequences.ToList();
        long count = items.Sum(ids => (long)ids.Length + 1);
        var contexts = new long[count * blockSize];
        var targets = new long[count];
        var context = new long[blockSize];
        long row = 0;
        foreach (int[] ids in items)
        {
            Array.Clear(context);
            for (int i = 0; i <= ids.Length; i++, row++)
            {
                int next = ContextWindow.At(ids, i);
                context.CopyTo(contexts.AsSpan((int)(row * blockSize), blockSize));
                targets[row] = next;
                ContextWindow.Shift<long>(context, next);
            }
        }
        var weights = new float[count];
        Array.Fill(weights, 1f);
        return new TrainingExamples(blockSize, contexts, targets, weights);
    }

    /// <summary>
    /// Distinct events with their counts (first-occurrence order). A full-batch loss weighted by these counts equals
    /// the lecture's mean over every event, with far fewer rows (729 at most for the bigram instead of 228,146).
    /// </summary>
    public TrainingExamples Deduplicate()
    {
        var index = new Dictionary<string, int>();
        var contexts = new List<long>();
        var targets = new List<long>();
        var weights = new List<float>();
        for (int i = 0; i < Count; i++)
        {
            string key = string.Join(',', Contexts.AsSpan(i * BlockSize, BlockSize).ToArray()) + ">" + Targets[i];
            if (index.TryGetValue(key, out int row))
            {
                weights[row]++;
                continue;
            }
            index[key] = targets.Count;
            contexts.AddRange(Contexts.AsSpan(i * BlockSize, BlockSize).ToArray());
            targets.Add(Targets[i]);
            weights.Add(1);
        }
        return new TrainingExamples(BlockSize, contexts.ToArray(), targets.ToArray(), weights.ToArray());
    }
}

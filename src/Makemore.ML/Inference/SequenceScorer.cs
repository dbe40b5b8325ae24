namespace Makemore.ML.Inference;

/// <summary>The log-likelihood of one item under a model, with the boundary token as start padding and as end token.</summary>
public readonly record struct SequenceScore(double LogLikelihood, int PredictedCount)
{
    /// <summary>Mean negative log-likelihood per predicted character, in nats.</summary>
    public double NllPerCharacter => PredictedCount == 0 ? double.NaN : -LogLikelihood / PredictedCount;

    /// <summary><c>exp(NllPerCharacter)</c>.</summary>
    public double Perplexity => Math.Exp(NllPerCharacter);
}

/// <summary>Scores id sequences with any <see cref="ILanguageModel"/>: one place that defines the NLL.</summary>
public static class SequenceScorer
{
    /// <summary>
    /// Sum of ln p over every predicted symbol of <paramref name="ids"/> followed by the end token
    /// (<c>ids.Length + 1</c> predictions), each conditioned on the previous <see cref="ILanguageModel.BlockSize"/> ids.
    /// </summary>
    public static SequenceScore Score(ILanguageModel model, ReadOnlySpan<int> ids)
    {
        double logLikelihood = 0;
        Walk(model, ids, (_, p) => logLikelihood += Math.Log(p));
        return new SequenceScore(logLikelihood, ids.Length + 1);
    }

    /// <summary>The surprisal −ln p of each predicted symbol: one per character, then one for the end token.</summary>
    public static double[] Surprisals(ILanguageModel model, ReadOnlySpan<int> ids)
    {
        var surprisals = new double[ids.Length + 1];
        Walk(model, ids, (i, p) => surprisals[i] = -Math.Log(p));
        return surprisals;
    }

    // Visits every prediction of ids + end token with its probability: the one definition of what is predicted from what.
    private static void Walk(ILanguageModel model, ReadOnlySpan<int> ids, Action<int, double> visit)
    {
        ArgumentNullException.ThrowIfNull(model);
        int block = model.BlockSize;
        Span<int> context = block <= 64 ? stackalloc int[block] : new int[block];
        context.Clear();
        Span<double> probs = model.Vocabulary.Size <= 256 ? stackalloc double[model.Vocabulary.Size] : new double[model.Vocabulary.Size];
        for (int i = 0; i <= ids.Length; i++)
        {
            int target = i < ids.Length ? ids[i] : 0;
            model.GetNextProbabilities(context, probs);
            visit(i, probs[target]);
            Shift(context, target);
        }
    }

    /// <summary>The next-symbol distribution after a prefix (no end token): ids are the prefix's characters.</summary>
    public static void NextProbabilities(ILanguageModel model, ReadOnlySpan<int> prefix, Span<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(model);
        int block = model.BlockSize;
        Span<int> context = block <= 64 ? stackalloc int[block] : new int[block];
        FillContext(prefix, context);
        model.GetNextProbabilities(context, probabilities);
    }

    /// <summary>Fills a context window with the last ids of a prefix, left-padded with boundary ids.</summary>
    public static void FillContext(ReadOnlySpan<int> prefix, Span<int> context)
    {
        context.Clear();
        int take = Math.Min(prefix.Length, context.Length);
        prefix[^take..].CopyTo(context[^take..]);
    }

    /// <summary>Moves a context window one step: drops the oldest id, appends <paramref name="next"/>.</summary>
    public static void Shift(Span<int> context, int next)
    {
        if (context.Length == 0)
            return;
        context[1..].CopyTo(context);
        context[^1] = next;
    }
}

using System.Runtime.CompilerServices;
using System.Buffers;

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
    /// (<c>ids.Length + 1</c> predictions): one <see cref="ILanguageModel.LogProbabilities"/> call.
    /// </summary>
    public static SequenceScore Score(ILanguageModel model, ReadOnlySpan<int> ids)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new SequenceScore(model.LogLikelihood(ids), ids.Length + 1);
    }

    /// <summary><see cref="ILanguageModel.LogLikelihood"/>'s default: the model's log-probabilities written to a buffer, summed in order.</summary>
    internal static double SumOfLogProbabilities(ILanguageModel model, ReadOnlySpan<int> ids) => Score(model, ids, default).LogLikelihood;

    /// <summary>
    /// <see cref="Score(ILanguageModel, ReadOnlySpan{int})"/>, and the distribution of the symbol after the whole item in
    /// <paramref name="nextProbabilities"/>: one <see cref="ILanguageModel.LogProbabilitiesAndNext"/> call.
    /// </summary>
    public static SequenceScore ScoreWithNext(ILanguageModel model, ReadOnlySpan<int> ids, Span<double> nextProbabilities)
    {
        if (nextProbabilities.IsEmpty)
            throw new ArgumentException("Give room for the next-symbol distribution.", nameof(nextProbabilities));
        return Score(model, ids, nextProbabilities);
    }

    [SkipLocalsInit] // every model writes all ids.Length + 1 values (the contract test checks it)
    private static SequenceScore Score(ILanguageModel model, ReadOnlySpan<int> ids, Span<double> next)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = ids.Length + 1;
        double[]? rented = n > 256 ? ArrayPool<double>.Shared.Rent(n) : null;
        Span<double> logProbabilities = rented is null ? stackalloc double[n] : rented.AsSpan(0, n);
        try
        {
            if (next.IsEmpty)
                model.LogProbabilities(ids, logProbabilities);
            else
                model.LogProbabilitiesAndNext(ids, logProbabilities, next);
            double sum = 0;
            foreach (double lp in logProbabilities)
                sum += lp;
            return new SequenceScore(sum, n);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>The surprisal −ln p of each predicted symbol: one per character, then one for the end token.</summary>
    public static double[] Surprisals(ILanguageModel model, ReadOnlySpan<int> ids)
    {
        ArgumentNullException.ThrowIfNull(model);
        var surprisals = new double[ids.Length + 1];
        model.LogProbabilities(ids, surprisals);
        for (int i = 0; i < surprisals.Length; i++)
            surprisals[i] = -surprisals[i];
        return surprisals;
    }

    /// <summary>The next-symbol distribution after a prefix (no end token): ids are the prefix's characters.</summary>
    public static void NextProbabilities(ILanguageModel model, ReadOnlySpan<int> prefix, Span<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(model);
        var decoder = model.StartDecoding();
        foreach (int id in prefix)
            decoder.Append(id);
        decoder.NextProbabilities(probabilities);
    }
}

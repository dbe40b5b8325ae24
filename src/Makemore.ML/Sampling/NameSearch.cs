using Microsoft.ML;
using Makemore.ML.Inference;

namespace Makemore.ML.Sampling;

/// <summary>A name with its log-likelihood under a model (the whole name, end token included).</summary>
/// <param name="Name">The name, without boundary tokens.</param>
/// <param name="LogLikelihood">Sum of ln p of every character and the end token (nats, ≤ 0).</param>
/// <param name="PredictedCharacterCount">Characters predicted: length + 1.</param>
public sealed record ScoredName(string Name, double LogLikelihood, int PredictedCharacterCount)
{
    /// <summary>Negative log-likelihood per predicted character, in nats.</summary>
    public double NllPerCharacter => -LogLikelihood / PredictedCharacterCount;
}

/// <summary>Options of <see cref="NameSearch"/>.</summary>
public sealed class NameSearchOptions
{
    /// <summary>Defaults of the search, defined once.</summary>
    public static class Defaults
    {
        /// <summary>Unfinished names kept at most.</summary>
        public const int BeamWidth = 1024;
    }

    /// <summary>
    /// How many unfinished names the search keeps at most (the least likely are dropped beyond it). When nothing dropped
    /// could have beaten the names found, the result is exact (<see cref="NameSearchResult.IsExact"/>). Default 1024.
    /// </summary>
    public int BeamWidth { get; set; } = Defaults.BeamWidth;

    /// <summary>What every name must satisfy, masked while searching as while sampling; the pattern filters finished names.</summary>
    public NameConstraints Constraints { get; set; } = new();
}

/// <summary>The most likely names a search found.</summary>
/// <param name="Names">Most likely first.</param>
/// <param name="IsExact">True when no unfinished name that could beat the names found was dropped: these are then the most
/// likely names under the constraints (ties broken in the order they were found).</param>
/// <param name="Expanded">How many unfinished names were expanded (one decoder pass each).</param>
public sealed record NameSearchResult(IReadOnlyList<ScoredName> Names, bool IsExact, int Expanded);

/// <summary>
/// Finds the most likely names of any model, best first: a best-first (uniform-cost) search over name prefixes, whose
/// log-likelihood only decreases as characters are added, so finished names come out in order of probability. The
/// frontier is capped at <see cref="NameSearchOptions.BeamWidth"/> (a beam); constraints are masked as in sampling.
/// Decoders cannot be copied, so each expansion replays its prefix (names are short).
/// </summary>
public sealed class NameSearch
{
    private readonly ILanguageModel _model;

    /// <summary>Creates a search over a model object.</summary>
    public NameSearch(ILanguageModel model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Creates a search over the language model inside a trained or loaded ML.NET model.</summary>
    public static NameSearch From(ITransformer model) => new(MakemoreModel.GetLanguageModel(model));

    /// <summary>The <paramref name="count"/> most likely names (fewer when the constraints allow fewer), most likely first.</summary>
    /// <exception cref="ArgumentException">The options are out of range or the constraints cannot be satisfied.</exception>
    public NameSearchResult MostLikely(int count, NameSearchOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        options ??= new NameSearchOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BeamWidth, 1, nameof(options.BeamWidth));
        ArgumentNullException.ThrowIfNull(options.Constraints, nameof(options.Constraints));
        var mask = options.Constraints.Compile(_model.Vocabulary);
        var pattern = options.Constraints.Pattern is null ? null : options.Constraints.Regex();
        var vocabulary = _model.Vocabulary;
        var found = new List<ScoredName>(count);
        var frontier = new SortedSet<Hypothesis>(Hypothesis.MostLikelyFirst);
        long order = 0;
        frontier.Add(new Hypothesis(mask.Prefix, PrefixLogLikelihood(mask.Prefix), mask.Start, Finished: false, order++));
        double bestDropped = double.NegativeInfinity; // log-likelihood of the most likely unfinished name dropped
        bool dropped = false;
        int expanded = 0;
        var probabilities = new double[vocabulary.Size];
        var allowed = new bool[vocabulary.Size];
        while (found.Count < count && frontier.Count > 0)
        {
            var best = frontier.Min!;
            frontier.Remove(best);
            if (best.Finished)
            {
                string name = vocabulary.Decode(best.Ids);
                if (pattern is null || pattern.IsMatch(name))
                    found.Add(new ScoredName(name, best.LogLikelihood, best.Ids.Length + 1));
                continue;
            }
            expanded++;
            Next(best.Ids, probabilities);
            mask.Allowed(best.State, best.Ids.Length, allowed);
            for (int id = 0; id < vocabulary.Size; id++)
            {
                if (!allowed[id] || !(probabilities[id] > 0))
                    continue;
                double logLikelihood = best.LogLikelihood + Math.Log(probabilities[id]);
                var child = id == 0
                    ? best with { LogLikelihood = logLikelihood, Finished = true, Order = order++ }
                    : new Hypothesis([.. best.Ids, id], logLikelihood, mask.Next(best.State, id), Finished: false, order++);
                frontier.Add(child);
            }
            while (frontier.Count > options.BeamWidth)
            {
                var worst = frontier.Max!;
                frontier.Remove(worst);
                bestDropped = Math.Max(bestDropped, worst.LogLikelihood);
                dropped = true;
            }
        }
        // Exact when nothing was dropped, or when everything dropped was already less likely than the last name found
        // (a name only loses likelihood as it grows).
        bool exact = !dropped || (found.Count == count && bestDropped < found[^1].LogLikelihood);
        return new NameSearchResult(found, exact, expanded);
    }

    /// <summary>The next-symbol distribution after <paramref name="ids"/>, by replaying them into a fresh decoder.</summary>
    private void Next(int[] ids, double[] probabilities)
    {
        var decoder = _model.StartDecoding();
        foreach (int id in ids)
            decoder.Append(id);
        decoder.NextProbabilities(probabilities);
    }

    /// <summary>Sum of ln p of the prefix's characters (the search ranks whole names).</summary>
    private double PrefixLogLikelihood(int[] prefix)
    {
        double sum = 0;
        var probabilities = new double[_model.Vocabulary.Size];
        var decoder = _model.StartDecoding();
        foreach (int id in prefix)
        {
            decoder.NextProbabilities(probabilities);
            sum += Math.Log(probabilities[id]);
            decoder.Append(id);
        }
        return sum;
    }

    /// <summary>A name prefix on the frontier, or a finished name waiting to be confirmed as the next most likely.</summary>
    private sealed record Hypothesis(int[] Ids, double LogLikelihood, int State, bool Finished, long Order)
    {
        /// <summary>Most likely first; ties in the order they were made (so the search is deterministic).</summary>
        public static readonly IComparer<Hypothesis> MostLikelyFirst = Comparer<Hypothesis>.Create((a, b) =>
        {
            int c = b.LogLikelihood.CompareTo(a.LogLikelihood);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });
    }
}

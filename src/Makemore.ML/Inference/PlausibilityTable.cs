using System.Globalization;
using Microsoft.ML;

namespace Makemore.ML.Inference;

/// <summary>
/// How plausible the training names are to a model: quantiles of their NLL per character, stored with the model at fit
/// time (in its metadata, under <see cref="MetadataKey"/>), so that any name can be placed among them: a plausibility
/// percentile of 90 means the name is more plausible (lower NLL/char) than 90% of the training names.
/// </summary>
public sealed class PlausibilityTable
{
    /// <summary>The metadata key the table is saved under.</summary>
    public const string MetadataKey = "plausibility_nll_quantiles";

    /// <summary>Defaults of the table, defined once.</summary>
    public static class Defaults
    {
        /// <summary>Quantiles kept: every 0.1% of the training names, both ends included.</summary>
        public const int QuantileCount = 1001;

        /// <summary>
        /// Training names a saved model's table is made from, at most: a larger training part gives an evenly spaced sample
        /// of this many (each quantile then rests on 100 names), so that saving a model of a million-line corpus does not
        /// score every training name once more.
        /// </summary>
        public const int MaxNames = 100_000;
    }

    private const string FormatTag = "v1";
    private readonly double[] _quantiles;

    private PlausibilityTable(double[] quantiles, int nameCount)
    {
        _quantiles = quantiles;
        NameCount = nameCount;
    }

    /// <summary>NLL per character (nats) at fractions 0, 1/(n−1), …, 1 of the training names, ascending.</summary>
    public IReadOnlyList<double> Quantiles => _quantiles;

    /// <summary>How many names the table was made from.</summary>
    public int NameCount { get; }

    /// <summary>Builds the table from names (usually the training part) scored by <paramref name="model"/>.</summary>
    /// <exception cref="FormatException">A name has a character the model's vocabulary cannot map (policy <c>Error</c>).</exception>
    public static PlausibilityTable FromNames(ILanguageModel model, IEnumerable<string> names, int quantileCount = Defaults.QuantileCount)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        return FromSequences(model, names.Select(n => model.Vocabulary.Encode(n)), quantileCount);
    }

    /// <summary>Builds the table from id sequences scored by <paramref name="model"/>.</summary>
    public static PlausibilityTable FromSequences(ILanguageModel model, IEnumerable<int[]> sequences, int quantileCount = Defaults.QuantileCount)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(quantileCount, 2);
        var nll = new List<double>(sequences.TryGetNonEnumeratedCount(out int count) ? count : 0);
        foreach (int[] ids in sequences)
        {
            double x = SequenceScorer.Score(model, ids).NllPerCharacter;
            nll.Add(double.IsNaN(x) ? double.PositiveInfinity : x);
        }
        if (nll.Count == 0)
            throw new ArgumentException("The plausibility table needs at least one name.", nameof(sequences));
        return FromSorted(RadixSort.Sort(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(nll)), quantileCount);
    }

    // The table of a sorted list of NLLs.
    private static PlausibilityTable FromSorted(ReadOnlySpan<double> nll, int quantileCount)
    {
        var quantiles = new double[quantileCount];
        for (int i = 0; i < quantileCount; i++)
        {
            double position = (double)i * (nll.Length - 1) / (quantileCount - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, nll.Length - 1);
            double t = position - below;
            quantiles[i] = t == 0 || nll[below] == nll[above] ? nll[below] : nll[below] + t * (nll[above] - nll[below]);
            quantiles[i] = (float)quantiles[i]; // what is saved: the table must give the same percentiles before and after a save
        }
        return new PlausibilityTable(quantiles, nll.Length);
    }

    /// <summary>The table saved with the last language model of a trained or loaded model; null when it has none (saved before tables existed).</summary>
    public static PlausibilityTable? From(ITransformer model) => FromMetadata(MakemoreModel.GetMetadata(model));

    /// <summary>The table in a model's metadata; null when it has none.</summary>
    public static PlausibilityTable? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(MetadataKey, out string? text) ? Parse(text) : null;
    }

    /// <summary>
    /// The plausibility percentile of a name's NLL per character, 0 to 100: the share of training names that are less
    /// plausible (higher NLL/char), interpolated between quantiles. 100: more plausible than every training name; 0: less
    /// plausible than every one (an impossible name, NLL ∞, is 0).
    /// </summary>
    public double Percentile(double nllPerCharacter)
    {
        if (double.IsNaN(nllPerCharacter))
            return 0;
        var q = _quantiles;
        if (nllPerCharacter < q[0])
            return 100;
        if (nllPerCharacter >= q[^1])
            return 0;
        // Last index whose quantile is ≤ the value; ties (a flat run) are placed at its middle.
        int last = UpperBound(q, nllPerCharacter) - 1;
        int first = last;
        while (first > 0 && q[first - 1] == q[last])
            first--;
        double position = q[last] == nllPerCharacter
            ? (first + last) / 2.0
            : last + (nllPerCharacter - q[last]) / (q[last + 1] - q[last]);
        return 100 * (1 - position / (q.Length - 1));
    }

    /// <summary>The text saved in the metadata: a format tag, the name count, then the quantiles as float32 round-trip text.</summary>
    public string ToMetadataValue() =>
        $"{FormatTag};{NameCount.ToString(CultureInfo.InvariantCulture)};" +
        string.Join(' ', _quantiles.Select(x => ((float)x).ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>Reads <see cref="ToMetadataValue"/>'s text.</summary>
    /// <exception cref="FormatException">The text is not a plausibility table of this format.</exception>
    public static PlausibilityTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(';');
        if (parts.Length != 3 || parts[0] != FormatTag || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new FormatException($"The metadata '{MetadataKey}' is not a plausibility table of format {FormatTag}.");
        var quantiles = new List<double>();
        foreach (string item in parts[2].Split(' '))
        {
            if (!float.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || float.IsNaN(value) || (quantiles.Count > 0 && value < quantiles[^1]))
                throw new FormatException($"The metadata '{MetadataKey}' has a quantile '{item}' that is not a number in ascending order.");
            quantiles.Add(value);
        }
        if (quantiles.Count < 2)
            throw new FormatException($"The metadata '{MetadataKey}' has fewer than 2 quantiles.");
        return new PlausibilityTable([.. quantiles], count);
    }

    /// <summary>Adds the table of the training data (its id sequences) to a model's metadata, unless it is there.</summary>
    internal static IReadOnlyDictionary<string, string> AddTo(IReadOnlyDictionary<string, string>? metadata, ILanguageModel model, Func<IEnumerable<int[]>> sequences)
    {
        if (metadata is not null && metadata.ContainsKey(MetadataKey))
            return metadata;
        var withTable = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
        var read = sequences();
        var all = read as IReadOnlyList<int[]> ?? read.ToList();
        var sample = all.Count <= Defaults.MaxNames ? all : Enumerable.Range(0, Defaults.MaxNames).Select(i => all[(int)((long)i * all.Count / Defaults.MaxNames)]);
        withTable[MetadataKey] = FromSequences(model, sample).ToMetadataValue();
        return withTable;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}

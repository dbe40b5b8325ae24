using System.Runtime.InteropServices;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Sampling;

/// <summary>Which PyTorch-compatible categorical draw the sampler uses; both consume a <see cref="TorchGenerator"/>.</summary>
public enum SamplerRng
{
    /// <summary>
    /// The 2022 lecture's <c>torch.multinomial</c>: one 53-bit uniform per draw, inverse CDF. With seed 2147483647 the
    /// lecture's bigram gives <c>mor, axx, minaymoryles, kondlaisah, anchshizarie</c>.
    /// </summary>
    Lecture,
    /// <summary>Current PyTorch's and TorchSharp's <c>torch.multinomial</c>: one exponential per category, argmax of p / E.</summary>
    Torch,
}

/// <summary>Options of <see cref="NameGenerator"/>.</summary>
public sealed class SamplingOptions
{
    /// <summary>Defaults of the sampler, defined once.</summary>
    public static class Defaults
    {
        /// <summary>Draws in a row that may be rejected (pattern not matched; with only-new, not new or a repeat) before giving up.</summary>
        public const int MaxAttempts = 1000;
    }

    /// <summary>The lecture's seed: <c>torch.Generator().manual_seed(2147483647)</c>.</summary>
    public const int LectureSeed = 2147483647;

    private long _seed = LectureSeed;

    /// <summary>
    /// Seed of the generator (<c>torch.Generator().manual_seed(Seed)</c>). Default 2147483647, the lecture's; a generator
    /// from <c>mlContext.Makemore().Generator(model)</c> draws a seed from the context's random source instead when this
    /// is not set.
    /// </summary>
    public long Seed
    {
        get => _seed;
        set
        {
            _seed = value;
            SeedGiven = true;
        }
    }

    /// <summary>Whether <see cref="Seed"/> was set (else a generator bound to an <see cref="MLContext"/> draws its own).</summary>
    internal bool SeedGiven { get; private set; }

    /// <summary>Which categorical draw to use. Default <see cref="SamplerRng.Lecture"/>.</summary>
    public SamplerRng Rng { get; set; } = SamplerRng.Lecture;

    /// <summary>
    /// Divides the log-probabilities: below 1 sharper, above 1 flatter; any finite value &gt; 0 (near 0 greedy, very large
    /// uniform over the characters the model allows). Default 1 (the model's distribution).
    /// </summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>
    /// Take the most likely allowed next character at every step (ties: the lowest id) instead of drawing: no random
    /// numbers are used, so every name is the same. Temperature, top-k and top-p are then irrelevant. Default false.
    /// </summary>
    public bool Greedy { get; set; }

    /// <summary>Keep only the k most likely next characters at each step; null or 0 keeps all.</summary>
    public int? TopK { get; set; }

    /// <summary>
    /// Nucleus sampling: keep the fewest most likely next characters whose probabilities (after temperature and top-k) add
    /// up to at least p, in (0, 1]; null or 1 keeps all.
    /// </summary>
    public double? TopP { get; set; }

    /// <summary>What every name must satisfy; enforced while decoding (see <see cref="NameConstraints"/>).</summary>
    public NameConstraints Constraints { get; set; } = new();

    /// <summary>Characters every sample starts with (included in the result): <see cref="NameConstraints.StartsWith"/>. Default: none.</summary>
    public string Prefix
    {
        get => Constraints.StartsWith;
        set => Constraints.StartsWith = value;
    }

    /// <summary>Stop a sample after this many characters even if the end token has not been drawn: <see cref="NameConstraints.MaxLength"/>. Default 100.</summary>
    public int MaxLength
    {
        get => Constraints.MaxLength;
        set => Constraints.MaxLength = value;
    }

    /// <summary>
    /// Draws in a row that may be rejected (a finished name that does not match <see cref="NameConstraints.Pattern"/>; with
    /// <see cref="NameGenerator.EnumerateNew"/>, a name that is not new or was already given) before the sampler gives up
    /// with a <see cref="SamplingBudgetExhaustedException"/>. Default 1000.
    /// </summary>
    public int MaxAttempts { get; set; } = Defaults.MaxAttempts;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Constraints, nameof(Constraints));
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite number > 0 (use Greedy for the most likely character).");
        if (TopK is < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "Top-k must be ≥ 0 (0 keeps every character).");
        if (TopP is double p && !(p > 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "Top-p must be in (0, 1] (1 keeps every character).");
        if (MaxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "MaxLength must be ≥ 1.");
        if (Seed < 0)
            throw new ArgumentOutOfRangeException(nameof(Seed), Seed, "The seed must be ≥ 0.");
        if (MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be ≥ 1.");
        ArgumentNullException.ThrowIfNull(Prefix, nameof(Prefix));
    }
}

/// <summary>
/// Samples names from any Makemore model, reproducibly: characters are drawn one at a time from the model's
/// next-character distribution until the end token, with a PyTorch-compatible generator.
/// </summary>
public sealed class NameGenerator
{
    private readonly ILanguageModel _model;
    private readonly Random? _seeds;

    /// <summary>Creates a generator for a model object; without a seed in the options it uses the lecture's.</summary>
    public NameGenerator(ILanguageModel model) : this(model, seeds: null)
    {
    }

    /// <summary>
    /// A generator that draws the seed of each call from <paramref name="seeds"/> (the random source of the user's
    /// <see cref="MLContext"/>) when the options set none; null for the lecture's seed.
    /// </summary>
    internal NameGenerator(ILanguageModel model, Random? seeds)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _seeds = seeds;
    }

    /// <summary>Creates a generator for the language model inside a trained or loaded ML.NET model.</summary>
    public static NameGenerator From(ITransformer model) => new(MakemoreModel.GetLanguageModel(model));

    /// <summary>The model samples come from.</summary>
    public ILanguageModel Model => _model;

    /// <summary>
    /// Draws <paramref name="count"/> names from one generator stream, as the lecture's loop does
    /// (so the first five names with the default options are the lecture's five).
    /// </summary>
    /// <returns>The names, without boundary tokens; the same sequence as <see cref="Enumerate"/>.</returns>
    public IReadOnlyList<string> Generate(int count, SamplingOptions? options = null) => Enumerate(count, options).ToList();

    /// <summary>
    /// Draws up to <paramref name="count"/> names lazily, one per step of the enumeration: the same sequence as
    /// <see cref="Generate"/>, but the first names are available before the last is drawn and none are kept.
    /// </summary>
    /// <remarks>The arguments are checked when this is called, not when the enumeration starts.</remarks>
    /// <returns>The names, without boundary tokens.</returns>
    /// <exception cref="ArgumentException">The options are out of range or the constraints cannot be satisfied.</exception>
    /// <exception cref="SamplingBudgetExhaustedException">While enumerating: no name matched the pattern within <see cref="SamplingOptions.MaxAttempts"/> draws.</exception>
    public IEnumerable<string> Enumerate(int count, SamplingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var plan = Plan(options ?? new SamplingOptions());
        return Draw(count, plan);
    }

    /// <summary>
    /// Draws distinct names that are <see cref="NameNovelty.New"/> (in no part of the split) lazily, until
    /// <paramref name="count"/> are given; names that are not new or repeat one already given are drawn again.
    /// </summary>
    /// <param name="count">How many new distinct names to give.</param>
    /// <param name="novelty">The split's names.</param>
    /// <param name="options">Sampling options; <see cref="SamplingOptions.MaxAttempts"/> bounds the rejected draws in a row.</param>
    /// <param name="draws">When given, receives the novelty of every draw (what the sampler makes before filtering).</param>
    /// <exception cref="SamplingBudgetExhaustedException">While enumerating, after the names found so far: <see cref="SamplingOptions.MaxAttempts"/>
    /// draws in a row gave no new distinct name.</exception>
    public IEnumerable<string> EnumerateNew(int count, NoveltyClassifier novelty, SamplingOptions? options = null, NoveltyReport? draws = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(novelty);
        var plan = Plan(options ?? new SamplingOptions());
        return DrawNew(count, novelty, plan, draws);
    }

    private IEnumerable<string> Draw(int count, SamplingPlan plan)
    {
        var rng = new TorchGenerator(plan.Seed);
        for (int i = 0; i < count; i++)
            yield return Sample(rng, plan, i, count);
    }

    private IEnumerable<string> DrawNew(int count, NoveltyClassifier novelty, SamplingPlan plan, NoveltyReport? draws)
    {
        var rng = new TorchGenerator(plan.Seed);
        var given = new HashSet<string>(StringComparer.Ordinal);
        int rejectedInARow = 0;
        while (given.Count < count)
        {
            string name = Sample(rng, plan, given.Count, count);
            var kind = novelty.Classify(name);
            draws?.Add(kind);
            if (kind == NameNovelty.New && given.Add(name))
            {
                rejectedInARow = 0;
                yield return name;
            }
            else if (++rejectedInARow >= plan.Options.MaxAttempts)
                throw new SamplingBudgetExhaustedException(
                    $"Found {given.Count:N0} of {count:N0} new distinct names: the last {plan.Options.MaxAttempts:N0} draws (the attempt budget: MaxAttempts, makemore sample --max-attempts) " +
                    "were all in the training data, in dev/test, or repeats. Loosen the constraints, raise the temperature or the budget, or ask for fewer names.",
                    plan.Options.MaxAttempts, given.Count, count);
        }
    }

    /// <summary>Draws one name with a caller-owned generator (continue a stream across calls).</summary>
    /// <exception cref="SamplingBudgetExhaustedException">No name matched the pattern within <see cref="SamplingOptions.MaxAttempts"/> draws.</exception>
    public string Sample(TorchGenerator rng, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options);
        return Sample(rng, Plan(options), 0, 1);
    }

    private SamplingPlan Plan(SamplingOptions options)
    {
        options.Validate();
        var constraints = options.Constraints;
        return new SamplingPlan(options, constraints.Compile(_model.Vocabulary), constraints.Pattern is null ? null : constraints.Regex(), _model.Vocabulary.Size)
        {
            Seed = SeedFor(options),
            Rows = CumulativeRows.For(_model, options),
        };
    }

    // The options' seed when they set one or the generator has no random source; else the source's next draw.
    private long SeedFor(SamplingOptions options)
    {
        if (options.SeedGiven || _seeds is null)
            return options.Seed;
        lock (_seeds) // System.Random is not thread-safe, and the source may be shared with the context's other components
            return _seeds.Next();
    }

    private string Sample(TorchGenerator rng, SamplingPlan plan, int found, int requested)
    {
        if (plan.Pattern is null)
            return Decode(rng, plan);
        for (int attempt = 0; attempt < plan.Options.MaxAttempts; attempt++)
        {
            string name = Decode(rng, plan);
            if (plan.Pattern.IsMatch(name))
                return name;
        }
        throw new SamplingBudgetExhaustedException(
            $"No name matched the pattern '{plan.Pattern}' in {plan.Options.MaxAttempts:N0} draws (the attempt budget: MaxAttempts, makemore sample --max-attempts); " +
            $"{found:N0} of {requested:N0} names were found. Loosen the pattern, enforce what you can with StartsWith/EndsWith/Contains/ExcludedCharacters " +
            "(masked while decoding, never rejected), or raise the budget.",
            plan.Options.MaxAttempts, found, requested);
    }

    private string Decode(TorchGenerator rng, SamplingPlan plan)
    {
        var options = plan.Options;
        var mask = plan.Mask;
        var vocabulary = _model.Vocabulary;
        var ids = plan.Ids;
        ids.Clear();
        ids.AddRange(mask.Prefix);
        ILanguageModelDecoder? decoder = null; // started at the first step that needs the model's distribution
        int state = mask.Start;
        var (probabilities, weights, allowed) = (plan.Probabilities, plan.Weights, plan.Allowed);
        while (true)
        {
            int next;
            if (plan.Rows is { } rows && mask.AllowsEverything(state, ids.Count))
                next = rows.Draw(rng, CollectionsMarshal.AsSpan(ids), options); // the same row and the same draw, computed once per context
            else if (mask.Allowed(state, ids.Count, allowed) == 1)
                next = allowed.AsSpan().IndexOf(true); // forced by the constraints (the end at MaxLength, a required ending): nothing to draw
            else
            {
                if (decoder is null)
                {
                    decoder = _model.StartDecoding();
                    foreach (int id in ids)
                        decoder.Append(id);
                }
                decoder.NextProbabilities(probabilities);
                next = Choose(rng, probabilities, weights, allowed, options);
            }
            if (next == 0)
                break;
            ids.Add(next);
            decoder?.Append(next);
            state = mask.Next(state, next);
        }
        return vocabulary.Decode(CollectionsMarshal.AsSpan(ids));
    }

    private static int Choose(TorchGenerator rng, double[] p, float[] weights, bool[] allowed, SamplingOptions options)
    {
        Shape(p, allowed, options);
        if (options.Greedy)
            return ArgMax(p);
        for (int i = 0; i < p.Length; i++)
            weights[i] = (float)p[i];
        return options.Rng switch
        {
            SamplerRng.Lecture => rng.SampleLecture(weights),
            SamplerRng.Torch => rng.SampleTorch(weights),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Rng, "Unknown sampler RNG."),
        };
    }

    /// <summary>The most likely symbol; ties go to the lowest id.</summary>
    private static int ArgMax(double[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++)
            if (p[i] > p[best])
                best = i;
        return best;
    }

    /// <summary>
    /// Masks what the constraints forbid, then applies temperature, top-k and top-p (in that order). Nothing is
    /// renormalized: the sampler sees the same row as PyTorch's would, so unconstrained samples are the lecture's.
    /// </summary>
    private static void Shape(double[] p, ReadOnlySpan<bool> allowed, SamplingOptions options)
    {
        if (!(Sum(p) > 0))
            throw new InvalidOperationException("The model gives every next character probability 0 here (an unseen context without smoothing); use smoothing to sample.");
        for (int i = 0; i < p.Length; i++)
            if (!allowed[i])
                p[i] = 0;
        if (!(Sum(p) > 0))
            throw new InvalidOperationException("The model gives every next character the constraints allow probability 0 here (an unseen context without smoothing); use smoothing, or loosen the constraints.");
        if (options.Greedy)
            return;
        if (options.Temperature != 1.0)
            Temper(p, options.Temperature);
        if (options.TopK is int k && k > 0 && k < p.Length)
            KeepTopK(p, k);
        if (options.TopP is double topP && topP < 1)
            KeepNucleus(p, topP);
    }

    private static double Sum(double[] p)
    {
        double total = 0;
        for (int i = 0; i < p.Length; i++)
            total += p[i];
        return total;
    }

    private static void KeepTopK(double[] p, int k)
    {
        double threshold = p.OrderByDescending(x => x).ElementAt(k - 1);
        int tiesToKeep = k - p.Count(x => x > threshold); // ties at the threshold are kept in id order
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] > threshold)
                continue;
            if (p[i] == threshold && tiesToKeep > 0)
                tiesToKeep--;
            else
                p[i] = 0;
        }
    }

    /// <summary>Keeps the fewest most likely symbols (ties in id order) whose share of the total is at least <paramref name="topP"/>.</summary>
    private static void KeepNucleus(double[] p, double topP)
    {
        double total = Sum(p);
        int[] order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        double kept = 0;
        int keep = 0;
        while (keep < order.Length && p[order[keep]] > 0 && (keep == 0 || kept < topP * total))
            kept += p[order[keep++]];
        for (int j = keep; j < order.Length; j++)
            p[order[j]] = 0;
    }

    /// <summary>
    /// Replaces <c>p</c> by <c>p^(1/T)</c> up to a constant factor, computed as <c>exp((ln p − ln max p) / T)</c>: the
    /// largest weight is exactly 1, so nothing underflows to an all-zero row (raising p to 1/T directly gives 0 for every
    /// p &lt; 1 at T = 1e-30, and the sampler then had nothing to draw from).
    /// As T → 0 only the most likely characters keep weight (greedy); as T → ∞ every character with p > 0 gets weight ≈ 1
    /// (uniform); characters with p = 0 stay at 0.
    /// </summary>
    private static void Temper(double[] p, double temperature)
    {
        double max = p.Max();
        double logMax = Math.Log(max);
        for (int i = 0; i < p.Length; i++)
            p[i] = p[i] > 0 ? Math.Exp((Math.Log(p[i]) - logMax) / temperature) : 0;
    }

    /// <summary>Validated options with their compiled constraints, and the buffers of one enumeration.</summary>
    private sealed record SamplingPlan(SamplingOptions Options, ConstraintAutomaton Mask, System.Text.RegularExpressions.Regex? Pattern, int VocabularySize)
    {
        public double[] Probabilities { get; } = new double[VocabularySize];
        public float[] Weights { get; } = new float[VocabularySize];
        public bool[] Allowed { get; } = new bool[VocabularySize];

        /// <summary>The ids of the name being drawn: one list for the enumeration, cleared per name (a name is a string once drawn).</summary>
        public List<int> Ids { get; } = new(32);

        /// <summary>The seed of the enumeration's generator.</summary>
        public long Seed { get; init; }

        /// <summary>The rows of a count model for the lecture's draw; null when every step must compute its row.</summary>
        public CumulativeRows? Rows { get; init; }
    }

    /// <summary>
    /// The lecture's draw (<see cref="TorchGenerator.SampleLecture"/>) from an n-gram model, with each context's shaped
    /// float32 cumulative row computed once per enumeration instead of once per character: an n-gram's distribution is a
    /// function of its window alone. Only for steps where the constraints allow every symbol, so a row is exactly what
    /// <see cref="Choose"/> would build there; the draws, and so the names, are the same.
    /// </summary>
    private sealed class CumulativeRows(NGramModel model)
    {
        private const int DenseContexts = 1 << 16; // up to this many contexts (V = 27: orders 1–4) rows sit in an array by key

        private readonly float[]?[]? _dense = ContextWindow.Pow(model.Vocabulary.Size, model.BlockSize) <= DenseContexts
            ? new float[]?[ContextWindow.Pow(model.Vocabulary.Size, model.BlockSize)]
            : null;
        private readonly Dictionary<ulong, float[]> _sparse = [];
        private readonly double[] _p = new double[model.Vocabulary.Size];
        private readonly float[] _weights = new float[model.Vocabulary.Size];
        private readonly bool[] _everything = Enumerable.Repeat(true, model.Vocabulary.Size).ToArray();

        public static CumulativeRows? For(ILanguageModel model, SamplingOptions options) =>
            model is NGramModel ngram && options.Rng == SamplerRng.Lecture && !options.Greedy ? new CumulativeRows(ngram) : null;

        /// <summary>Draws the symbol after <paramref name="ids"/> (the name so far).</summary>
        public int Draw(TorchGenerator rng, ReadOnlySpan<int> ids, SamplingOptions options)
        {
            ulong key = model.KeyAfter(ids);
            float[]? row = _dense is not null ? _dense[key] : _sparse.GetValueOrDefault(key);
            if (row is null)
            {
                row = Row(ids, options);
                if (_dense is not null)
                    _dense[key] = row;
                else
                    _sparse[key] = row;
            }
            return rng.SampleLectureCumulative(row);
        }

        // What Choose builds after these ids when every symbol is allowed: the distribution, shaped, as float32 cumulative sums.
        private float[] Row(ReadOnlySpan<int> ids, SamplingOptions options)
        {
            model.GetNextProbabilitiesAfter(ids, _p);
            Shape(_p, _everything, options);
            for (int i = 0; i < _p.Length; i++)
                _weights[i] = (float)_p[i];
            var row = new float[_p.Length];
            TorchGenerator.LectureCumulative(_weights, row);
            return row;
        }
    }
}

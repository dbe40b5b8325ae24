using Microsoft.ML;
using Makemore.ML.Inference;

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
    /// <summary>The lecture's seed: <c>torch.Generator().manual_seed(2147483647)</c>.</summary>
    public const int LectureSeed = 2147483647;

    /// <summary>Seed of the generator (<c>torch.Generator().manual_seed(Seed)</c>). Default 2147483647, the lecture's.</summary>
    public long Seed { get; set; } = LectureSeed;

    /// <summary>Which categorical draw to use. Default <see cref="SamplerRng.Lecture"/>.</summary>
    public SamplerRng Rng { get; set; } = SamplerRng.Lecture;

    /// <summary>
    /// Divides the log-probabilities: below 1 sharper, above 1 flatter; any finite value &gt; 0 (near 0 greedy, very large
    /// uniform over the characters the model allows). Default 1 (the model's distribution).
    /// </summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Keep only the k most likely next characters at each step; null or 0 keeps all.</summary>
    public int? TopK { get; set; }

    /// <summary>Characters every sample starts with (included in the result). Default: none.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Stop a sample after this many characters even if the end token has not been drawn. Default 100.</summary>
    public int MaxLength { get; set; } = 100;

    internal void Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite number > 0.");
        if (TopK is < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "Top-k must be ≥ 0 (0 keeps every character).");
        if (MaxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "MaxLength must be ≥ 1.");
        if (Seed < 0)
            throw new ArgumentOutOfRangeException(nameof(Seed), Seed, "The seed must be ≥ 0.");
        ArgumentNullException.ThrowIfNull(Prefix);
    }
}

/// <summary>
/// Samples names from any Makemore model, reproducibly: characters are drawn one at a time from the model's
/// next-character distribution until the end token, with a PyTorch-compatible generator.
/// </summary>
public sealed class NameGenerator
{
    private readonly ILanguageModel _model;

    /// <summary>Creates a generator for a model object.</summary>
    public NameGenerator(ILanguageModel model) => _model = model ?? throw new ArgumentNullException(nameof(model));

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
    public IEnumerable<string> Enumerate(int count, SamplingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        options ??= new SamplingOptions();
        options.Validate();
        return Draw(count, options);
    }

    private IEnumerable<string> Draw(int count, SamplingOptions options)
    {
        var rng = new TorchGenerator(options.Seed);
        for (int i = 0; i < count; i++)
            yield return Sample(rng, options);
    }

    /// <summary>Draws one name with a caller-owned generator (continue a stream across calls).</summary>
    public string Sample(TorchGenerator rng, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var vocabulary = _model.Vocabulary;
        var ids = new List<int>(vocabulary.Encode(options.Prefix));
        var decoder = _model.StartDecoding();
        foreach (int id in ids)
            decoder.Append(id);
        var probabilities = new double[vocabulary.Size];
        var weights = new float[vocabulary.Size];
        while (ids.Count < options.MaxLength)
        {
            decoder.NextProbabilities(probabilities);
            Shape(probabilities, weights, options);
            int next = options.Rng switch
            {
                SamplerRng.Lecture => rng.SampleLecture(weights),
                SamplerRng.Torch => rng.SampleTorch(weights),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Rng, "Unknown sampler RNG."),
            };
            if (next == 0)
                break;
            ids.Add(next);
            decoder.Append(next);
        }
        return vocabulary.Decode(ids.ToArray());
    }

    /// <summary>Applies temperature and top-k, and rounds to float32 as PyTorch's sampler sees the row.</summary>
    private static void Shape(double[] p, float[] weights, SamplingOptions options)
    {
        double total = 0;
        for (int i = 0; i < p.Length; i++)
            total += p[i];
        if (!(total > 0))
            throw new InvalidOperationException("The model gives every next character probability 0 here (an unseen context without smoothing); use smoothing to sample.");
        if (options.Temperature != 1.0)
            Temper(p, options.Temperature);
        if (options.TopK is int k && k > 0 && k < p.Length)
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
        for (int i = 0; i < p.Length; i++)
            weights[i] = (float)p[i];
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
}

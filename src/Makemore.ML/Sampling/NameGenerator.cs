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

    /// <summary>Divides the log-probabilities: below 1 sharper, above 1 flatter. Default 1 (the model's distribution).</summary>
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
    /// <returns>The names, without boundary tokens.</returns>
    public IReadOnlyList<string> Generate(int count, SamplingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        options ??= new SamplingOptions();
        options.Validate();
        var rng = new TorchGenerator(options.Seed);
        var names = new List<string>(count);
        for (int i = 0; i < count; i++)
            names.Add(Sample(rng, options));
        return names;
    }

    /// <summary>Draws one name with a caller-owned generator (continue a stream across calls).</summary>
    public string Sample(TorchGenerator rng, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var vocabulary = _model.Vocabulary;
        var ids = new List<int>(vocabulary.Encode(options.Prefix));
        var context = new int[_model.BlockSize];
        SequenceScorer.FillContext(ids.ToArray(), context);
        var probabilities = new double[vocabulary.Size];
        var weights = new float[vocabulary.Size];
        while (ids.Count < options.MaxLength)
        {
            _model.GetNextProbabilities(context, probabilities);
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
            SequenceScorer.Shift(context, next);
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
        {
            // (p / max)^(1/T): the same distribution once normalised, but the likeliest character keeps weight 1, so a low
            // temperature cannot underflow every float32 weight to 0 (0.3^(1/0.01) ≈ 5e-53 would).
            double max = p.Max();
            double inverse = 1.0 / options.Temperature;
            for (int i = 0; i < p.Length; i++)
                p[i] = Math.Pow(p[i] / max, inverse);
        }
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
}

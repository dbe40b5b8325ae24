using System.Globalization;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>
/// A mixture of language models over one vocabulary: p(next) = Σᵢ wᵢ · pᵢ(next), weights summing to 1 (linear
/// interpolation, Jelinek &amp; Mercer 1980), e.g. a 6-gram Kneser–Ney table with a neural model. Weights are fitted on
/// dev data by expectation–maximisation (<see cref="FitWeights"/>); the mixture scores, samples and saves like any model.
/// </summary>
public sealed partial class InterpolatedModel : ILanguageModel
{
    private readonly ILanguageModel[] _components;
    private readonly double[] _weights;

    /// <summary>Creates a mixture.</summary>
    /// <param name="components">Two or more models over the same vocabulary.</param>
    /// <param name="weights">One non-negative weight per component, summing to 1 (within 1e-9).</param>
    public InterpolatedModel(IReadOnlyList<ILanguageModel> components, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(weights);
        if (components.Count < 1 || weights.Count != components.Count)
            throw new ArgumentException("Give one weight per component, and at least one component.", nameof(weights));
        var vocabulary = components[0].Vocabulary;
        if (components.Any(c => !c.Vocabulary.Equals(vocabulary)))
            throw new ArgumentException("Every component must have the same vocabulary.", nameof(components));
        if (weights.Any(w => !(w >= 0)) || Math.Abs(weights.Sum() - 1) > 1e-9)
            throw new ArgumentException("Weights must be ≥ 0 and sum to 1.", nameof(weights));
        _components = [.. components];
        _weights = [.. weights];
        Vocabulary = vocabulary;
    }

    /// <inheritdoc/>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>The mixed models.</summary>
    public IReadOnlyList<ILanguageModel> Components => _components;

    /// <summary>Their weights, in the same order.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>
    /// Weights that maximise the likelihood of <paramref name="items"/> (EM: each step sets wᵢ to the mean posterior
    /// responsibility of component i over every predicted character; the likelihood never decreases).
    /// </summary>
    /// <param name="components">The models to mix.</param>
    /// <param name="items">Dev items as ids.</param>
    /// <param name="iterations">EM steps; it stops earlier when the weights move less than 1e-7.</param>
    public static double[] FitWeights(IReadOnlyList<ILanguageModel> components, IReadOnlyList<int[]> items, int iterations = 200)
    {
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(items);
        int k = components.Count;
        // p[i][t]: probability of the t-th predicted character (over all items) under component i.
        var p = components.Select(c => items.SelectMany(ids =>
        {
            var lp = new double[ids.Length + 1];
            c.LogProbabilities(ids, lp);
            return lp.Select(Math.Exp);
        }).ToArray()).ToArray();
        int n = p[0].Length;
        var weights = Enumerable.Repeat(1.0 / k, k).ToArray();
        var next = new double[k];
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            Array.Clear(next);
            for (int t = 0; t < n; t++)
            {
                double mix = 0;
                for (int i = 0; i < k; i++)
                    mix += weights[i] * p[i][t];
                if (mix <= 0)
                    continue;
                for (int i = 0; i < k; i++)
                    next[i] += weights[i] * p[i][t] / mix;
            }
            double total = next.Sum();
            double moved = 0;
            for (int i = 0; i < k; i++)
            {
                double w = total > 0 ? next[i] / total : weights[i];
                moved = Math.Max(moved, Math.Abs(w - weights[i]));
                weights[i] = w;
            }
            if (moved < 1e-7)
                break;
        }
        double sum = weights.Sum();
        return weights.Select(w => w / sum).ToArray();
    }

    /// <inheritdoc/>
    public void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities) => Score(ids, logProbabilities, default);

    /// <inheritdoc/>
    public void LogProbabilitiesAndNext(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> nextProbabilities)
    {
        if (nextProbabilities.Length != Vocabulary.Size)
            throw new ArgumentException($"Expected room for {Vocabulary.Size} probabilities, got {nextProbabilities.Length}.", nameof(nextProbabilities));
        Score(ids, logProbabilities, nextProbabilities);
    }

    // Σ wᵢ pᵢ at every position, and (when next is not empty) after the item: each component scores once, in one pass where it can.
    private void Score(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> next)
    {
        int n = ids.Length + 1;
        var mixed = new double[n];
        var component = new double[n];
        var componentNext = next.IsEmpty ? [] : new double[next.Length];
        next.Clear();
        for (int i = 0; i < _components.Length; i++)
        {
            if (next.IsEmpty)
                _components[i].LogProbabilities(ids, component);
            else
                _components[i].LogProbabilitiesAndNext(ids, component, componentNext);
            for (int t = 0; t < n; t++)
                mixed[t] += _weights[i] * Math.Exp(component[t]);
            for (int c = 0; c < componentNext.Length; c++)
                next[c] += _weights[i] * componentNext[c];
        }
        for (int t = 0; t < n; t++)
            logProbabilities[t] = Math.Log(mixed[t]);
    }

    /// <inheritdoc/>
    public ILanguageModelDecoder StartDecoding() => new Decoder(this);

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, string>> Describe() =>
        _components.Select((c, i) => new KeyValuePair<string, string>($"component {i + 1}", string.Create(CultureInfo.InvariantCulture, $"weight {_weights[i]:F4}: {c}"))).ToArray();

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"interpolation of {_components.Length} models ({string.Join(", ", _weights.Select(w => w.ToString("F3", CultureInfo.InvariantCulture)))})");

    private sealed class Decoder : ILanguageModelDecoder
    {
        private readonly InterpolatedModel _model;
        private readonly ILanguageModelDecoder[] _decoders;
        private readonly double[] _buffer;

        public Decoder(InterpolatedModel model)
        {
            _model = model;
            _decoders = model._components.Select(c => c.StartDecoding()).ToArray();
            _buffer = new double[model.Vocabulary.Size];
        }

        public int Length => _decoders[0].Length;

        public void NextProbabilities(Span<double> probabilities)
        {
            probabilities.Clear();
            for (int i = 0; i < _decoders.Length; i++)
            {
                _decoders[i].NextProbabilities(_buffer);
                for (int c = 0; c < _buffer.Length; c++)
                    probabilities[c] += _model._weights[i] * _buffer[c];
            }
        }

        public void Append(int id)
        {
            foreach (var decoder in _decoders)
                decoder.Append(id);
        }
    }

    /// <summary>Saved as kind <c>interpolation</c>: the weights, then each component as its own kind, format and payload.</summary>
    private sealed class Codec : ModelCodec<InterpolatedModel>
    {
        public override string Kind => "interpolation";

        public override int Version => 1;

        protected override void Write(InterpolatedModel model, BinaryWriter writer)
        {
            writer.Write(model._components.Length);
            foreach (double w in model._weights)
                writer.Write(w);
            foreach (var component in model._components)
            {
                var codec = ModelCodecs.For(component);
                writer.Write(codec.Kind);
                writer.Write(codec.Version);
                codec.Write(component, writer);
            }
        }

        protected override InterpolatedModel ReadModel(BinaryReader reader)
        {
            int count = reader.ReadInt32();
            if (count < 1 || count > 64)
                throw new InvalidDataException($"A saved interpolation claims {count} components; the model file is damaged.");
            var weights = Enumerable.Range(0, count).Select(_ => reader.ReadDouble()).ToArray();
            var components = new List<ILanguageModel>(count);
            for (int i = 0; i < count; i++)
            {
                string kind = reader.ReadString();
                int componentVersion = reader.ReadInt32();
                var codec = ModelCodecs.ForKind(kind)
                    ?? throw new InvalidDataException($"A saved interpolation holds a model of kind '{kind}', unknown to this version of Makemore.ML; upgrade the library.");
                ModelState.Expect(kind, componentVersion, codec.Kind, codec.Version, codec.OldestReadVersion);
                components.Add(codec.Read(reader, componentVersion));
            }
            try
            {
                return new InterpolatedModel(components, weights);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"A saved interpolation is inconsistent: {e.Message}", e);
            }
        }
    }
}

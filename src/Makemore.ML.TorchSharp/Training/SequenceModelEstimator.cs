using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Trains any of makemore.py's sequence models (<see cref="SequenceModelKind"/>, built by <see cref="SequenceNetworks"/>)
/// with the one training loop on TorchSharp, on whole items as makemore.py's <c>CharDataset</c> gives them
/// (<see cref="SequenceExamples"/>), and returns a transformer that scores with the network's plain C# model: the saved
/// model needs no libtorch. <see cref="Fit(IDataView, IDataView)"/> also evaluates on a dev set and keeps the best model on it.
/// </summary>
public sealed class SequenceModelEstimator : IEstimator<LanguageModelTransformer<ILanguageModel>>
{
    private readonly SequenceModelOptions _options;
    private readonly Catalogs _catalogs;

    /// <summary>makemore.py's model settings, read by <see cref="SequenceModelOptions"/>, the catalog and the CLI; the training ones are <see cref="TrainingOptions.Defaults"/>.</summary>
    public static class Defaults
    {
        /// <summary>The kind a new <see cref="SequenceModelOptions"/> trains.</summary>
        /// <remarks>makemore.py's own default <c>--type</c> is the Transformer; here <c>Trainers.Sequence()</c> without a kind, and a bare options object, start from the cheapest, the RNN (<c>makemore train</c> always names its <c>--type</c>).</remarks>
        public const SequenceModelKind Kind = SequenceModelKind.Rnn;

        /// <summary>Width of a character embedding: 64 (makemore.py's <c>--n-embd</c>).</summary>
        public const int EmbeddingSize = 64;

        /// <summary>Width of the hidden state: 64 (makemore.py's <c>--n-embd2</c>).</summary>
        public const int HiddenSize = 64;

        /// <summary>Transformer blocks: 4 (makemore.py's <c>--n-layer</c>).</summary>
        public const int LayerCount = 4;

        /// <summary>Attention heads: 4 (makemore.py's <c>--n-head</c>).</summary>
        public const int HeadCount = 4;

        /// <summary>Transformer dropout while training: 0 (makemore.py has none).</summary>
        public const double Dropout = 0;

        /// <summary>Transformer weight tying (read-out = token embeddings): off (makemore.py has a separate lm_head).</summary>
        public const bool TieWeights = false;

        /// <summary>With a teacher, the share of its distribution in each training target: 0.5 (the rest is the character seen).</summary>
        public const double TeacherWeight = 0.5;
    }

    /// <summary>Creates the estimator in <paramref name="mlContext"/> (its log, seed and cancellation reach the transforms it builds); prefer <c>mlContext.Makemore().Trainers.Sequence</c>.</summary>
    public SequenceModelEstimator(MLContext mlContext, SequenceModelOptions options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal SequenceModelEstimator(Catalogs catalogs, SequenceModelOptions options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public LanguageModelTransformer<ILanguageModel> Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="input"/>, evaluating on the whole <paramref name="dev"/> set every <c>Training.EvaluationInterval</c> steps.</summary>
    /// <param name="input">The training names, after <c>MapCharactersToIds</c>.</param>
    /// <param name="dev">Dev names through the same <c>MapCharactersToIds</c>, or null.</param>
    /// <returns>The transformer; its <see cref="LanguageModelTransformer.Training"/> has the losses per step, the dev evaluations and the best step.</returns>
    public LanguageModelTransformer<ILanguageModel> Fit(IDataView input, IDataView? dev) =>
        TrainingData.Fit(_catalogs, _options.IdsColumnName, input, dev, Train);

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(_catalogs, inputSchema, _options.IdsColumnName);

    /// <summary>Trains on id sequences directly (no ML.NET data view).</summary>
    /// <param name="vocabulary">The characters.</param>
    /// <param name="sequences">Training items as ids.</param>
    /// <param name="dev">Dev items as ids, or null for no evaluation.</param>
    /// <returns>The model, and what the training did: losses per step, dev evaluations, the best step.</returns>
    public TrainedModel<ILanguageModel> Train(CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("There is nothing to train on.", nameof(sequences));
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(_options.Threads);
        int block = _options.BlockSize ?? SequenceExamples.DefaultBlockSize(dev is null ? sequences : [.. sequences, .. dev]);

        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)_options.Training.Seed);
        var network = SequenceNetworks.Create(_options, vocabulary.Size, block, generator);
        var module = network.Module;
        var train = Examples(SequenceExamples.Build(sequences, block));
        // Distillation: each training row carries its row number in one more input column, which picks its soft targets.
        float[]? targets = _options.Teacher is { } teacher ? TeacherTargets(teacher, _options.TeacherWeight, vocabulary, sequences, block) : null;
        var soft = targets is null ? null : tensor(targets, [sequences.Count, block, vocabulary.Size]); // (n, T, V)
        if (soft is not null)
            train = new ExampleSet(cat([train.Inputs, arange(train.Count, dtype: int64).unsqueeze(1)], 1), train.Targets); // (n, T + 1), (n, T)
        var devSet = dev is { Count: > 0 } ? Examples(SequenceExamples.Build(dev, block)) : null;
        var trainable = new TrainableModel(module, (x, y, w) =>
        {
            // Positions after the batch's longest item predict nothing; a causal model's loss is the same without them.
            // (Predicted positions are a prefix of each row, so the longest row's count is the length to keep.)
            long t = y.ge(0).sum(1).max().item<long>();
            var logits = network.Forward(x.narrow(1, 0, t)); // (b, t, V)
            var nll = Loss.SequenceNll(logits, y.narrow(1, 0, t), w);
            if (soft is null || x.shape[1] != block + 1)
                return LossTerms.Of(nll); // dev rows (no row column) are always scored against the characters seen
            var q = soft.index_select(0, x.select(1, block)).narrow(1, 0, t); // (b, t, V); all zero where nothing is predicted
            var crossEntropy = -(q * nn.functional.log_softmax(logits, -1)).sum() / q.sum(); // each predicted position's q sums to 1
            return new LossTerms(crossEntropy, nll);
        }, network.DecayedParameters())
        {
            VocabularySize = vocabulary.Size,
            // What else steers the run: the dropout rate and the soft targets themselves (teacher and weight), so that a
            // checkpoint resumes only under the same ones. Each part only when set, so older checkpoints without it resume.
            TrajectoryKey = string.Join(";", new[]
            {
                _options.Dropout > 0 ? "dropout=" + _options.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "",
                targets is null ? "" : "teacher=" + Convert.ToHexStringLower(
                    System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(targets.AsSpan()))),
            }.Where(part => part.Length > 0)),
        };
        TrainingResult result;
        try
        {
            result = TrainingLoop.Run(trainable, train, _options.Training, devSet);
        }
        finally
        {
            module.eval();
        }
        return new(network.ToModel(vocabulary), result);
    }

    /// <summary>
    /// The soft targets of distillation, (n, T, V) float32 row-major: at each predicted position, <c>weight · p_teacher + (1 − weight) ·
    /// onehot(character seen)</c>, where p_teacher is the teacher's next-symbol distribution after the item's prefix;
    /// zero where nothing is predicted.
    /// </summary>
    private static float[] TeacherTargets(ILanguageModel teacher, double weight, CharacterVocabulary vocabulary, IReadOnlyList<int[]> items, int block)
    {
        if (!teacher.Vocabulary.Equals(vocabulary))
            throw new ArgumentException($"The teacher's vocabulary ({teacher.Vocabulary.Size} symbols) is not the training data's ({vocabulary.Size}): "
                + "train the teacher on the same input file.", nameof(SequenceModelOptions.Teacher));
        int v = vocabulary.Size;
        var q = new float[(long)items.Count * block * v];
        var p = new double[v];
        for (int row = 0; row < items.Count; row++)
        {
            int[] item = items[row];
            var decoder = teacher.StartDecoding();
            for (int i = 0; i <= item.Length; i++)
            {
                decoder.NextProbabilities(p);
                int seen = i < item.Length ? item[i] : 0;
                var target = q.AsSpan((int)(((long)row * block + i) * v), v);
                for (int c = 0; c < v; c++)
                    target[c] = (float)(weight * p[c] + (c == seen ? 1 - weight : 0));
                if (i < item.Length)
                    decoder.Append(item[i]);
            }
        }
        return q;
    }

    // (n, T) int64 inputs and targets.
    private static ExampleSet Examples(SequenceExamples examples) =>
        new(tensor(examples.Inputs, [examples.Count, examples.BlockSize]), tensor(examples.Targets, [examples.Count, examples.BlockSize]));
}

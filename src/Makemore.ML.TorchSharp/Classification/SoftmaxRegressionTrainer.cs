using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using Makemore.ML.Sampling;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Classification;

/// <summary>
/// Multinomial logistic (softmax) regression on any float-vector features with a key label, trained on TorchSharp and
/// returned as ML.NET's own typed <c>MulticlassPredictionTransformer&lt;MaximumEntropyModelParameters&gt;</c> (the model
/// <c>LbfgsMaximumEntropy</c> returns): <c>Score</c> (class probabilities, slot names from the label's key values) and
/// <c>PredictedLabel</c> (a key with the label's key values), scored by ML.NET's plain C# and saved in any ML.NET zip.
/// Use it as <c>mlContext.MulticlassClassification.Trainers.SoftmaxRegression(...)</c>.
/// </summary>
/// <remarks>
/// The loss is the example-weighted mean NLL plus <c>L2 · mean(W²)</c> (the lecture's smoothing term) plus, with
/// <see cref="Solver.Lbfgs"/>, <c>L1 · mean(|W|)</c> (the bias is not regularised), minimised from zero weights by AdamW
/// without weight decay (the default) or by full-batch L-BFGS to convergence (<see cref="Solver.Lbfgs"/>: orthant-wise
/// when L1 is above zero, as ML.NET's <c>LbfgsMaximumEntropy</c>, whose default loss is ours with
/// <c>L2 = K·D / (2n)</c> and <c>L1 = K·D / n</c> for n rows, D features and K classes). Identical (features, label) rows are merged
/// into one weighted row first: the same loss and gradient, and one-hot bigram events (228,146 rows on names.txt) become
/// at most 27 × 27. Features at most a third non-zero (one-hot contexts, bags of words or n-grams) are never made dense:
/// the rows stay in CSR form and the logits are one <c>embedding_bag</c> over each row's non-zeros, so a step costs the
/// non-zeros, not n × D; <see cref="Solver.Lbfgs"/> computes its loss and gradient in plain C# over the same rows (a K-wide
/// multiply-add per non-zero), whatever their density. ML.NET's model parameters have no public constructor, so the trained weights are written into the
/// documented binary form of a <c>MaximumEntropyModelParameters</c> (ML.NET's own, made by one L-BFGS iteration on a
/// K-row view of the same schema) and read back with <c>Model.Load</c>; the result is checked against the trained weights.
/// </remarks>
public sealed class SoftmaxRegressionTrainer : IEstimator<MulticlassPredictionTransformer<MaximumEntropyModelParameters>>
{
    /// <summary>Default values, shared by the catalog and <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>ML.NET's default label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>ML.NET's default feature column.</summary>
        public const string FeatureColumnName = "Features";

        /// <summary>No L2: the in-sample optimum, the count model's NLL on one-hot n-gram contexts.</summary>
        public const double L2 = 0;

        /// <summary>AdamW step size: 0.1.</summary>
        public const double LearningRate = 0.1;

        /// <summary>Full-batch steps: 1,000.</summary>
        public const int Steps = 1000;

        /// <summary>Seed of the mini-batches (when <see cref="Options.BatchSize"/> is set).</summary>
        public const long Seed = SamplingOptions.LectureSeed;

        /// <summary>AdamW.</summary>
        public const SoftmaxRegressionTrainer.Solver Solver = SoftmaxRegressionTrainer.Solver.AdamW;

        /// <summary>No L1.</summary>
        public const double L1 = 0;

        /// <summary>L-BFGS's (s, y) pairs: 10.</summary>
        public const int HistorySize = 10;

        /// <summary>L-BFGS stops when the mean relative improvement over 5 iterations is below 1e-7 (ML.NET's default).</summary>
        public const double OptimizationTolerance = 1e-7;
    }

    /// <summary>How the loss is minimised.</summary>
    public enum Solver
    {
        /// <summary>AdamW without weight decay, <see cref="Options.Steps"/> steps of <see cref="Options.LearningRate"/>, full batch or mini-batches.</summary>
        AdamW,

        /// <summary>
        /// Full-batch limited-memory BFGS to convergence (at most <see cref="Options.Steps"/> iterations), orthant-wise when
        /// <see cref="Options.L1"/> is above zero, as ML.NET's <c>LbfgsMaximumEntropy</c>; no learning rate.
        /// </summary>
        Lbfgs,
    }

    /// <summary>Options of <see cref="SoftmaxRegressionTrainer"/>.</summary>
    public sealed class Options
    {
        /// <summary>The label column: a key. Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

        /// <summary>The features column: a known-size vector of <c>Single</c>. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

        /// <summary>An optional example-weight column (<c>Single</c>); null for weight 1.</summary>
        public string? ExampleWeightColumnName { get; set; }

        /// <summary>Strength of <c>L2 · mean(W²)</c>. Default 0.</summary>
        public double L2 { get; set; } = Defaults.L2;

        /// <summary>AdamW step size (L-BFGS has none). Default 0.1.</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;

        /// <summary>AdamW's steps, or the most L-BFGS iterations. Default 1,000.</summary>
        public int Steps { get; set; } = Defaults.Steps;

        /// <summary>Rows per step; null for the full batch (after merging identical rows). Default null.</summary>
        public int? BatchSize { get; set; }

        /// <summary>Seed of the mini-batches. Default 2147483647.</summary>
        public long Seed { get; set; } = Defaults.Seed;

        /// <summary>How the loss is minimised. Default <see cref="Solver.AdamW"/>.</summary>
        public Solver Solver { get; set; } = Defaults.Solver;

        /// <summary>Strength of <c>L1 · mean(|W|)</c>; only with <see cref="Solver.Lbfgs"/>. Default 0.</summary>
        public double L1 { get; set; } = Defaults.L1;

        /// <summary>L-BFGS's remembered (s, y) pairs; memory is about (2 · HistorySize + 6) · K · D floats. Default 10.</summary>
        public int HistorySize { get; set; } = Defaults.HistorySize;

        /// <summary>L-BFGS stops when the loss improved by less than this (relative, mean over 5 iterations). Default 1e-7.</summary>
        public double OptimizationTolerance { get; set; } = Defaults.OptimizationTolerance;

        /// <summary>libtorch CPU threads. Default 1.</summary>
        public int Threads { get; set; } = TorchRuntime.DefaultThreadCount;

        /// <summary>The computation to use whatever the density (tests compare the two); null to choose by density.</summary>
        internal FeatureLayout? Layout { get; set; }

        internal void Validate()
        {
            ArgumentException.ThrowIfNullOrEmpty(LabelColumnName);
            ArgumentException.ThrowIfNullOrEmpty(FeatureColumnName);
            if (!(L2 >= 0) || double.IsInfinity(L2))
                throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be a finite number ≥ 0.");
            if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
                throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a finite number > 0.");
            if (Steps < 1)
                throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be ≥ 1.");
            if (BatchSize is < 1)
                throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be ≥ 1 (or null for the full batch).");
            if (Threads < 1)
                throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be ≥ 1.");
            if (!Enum.IsDefined(Solver))
                throw new ArgumentOutOfRangeException(nameof(Solver), Solver, "Solver must be AdamW or Lbfgs.");
            if (!(L1 >= 0) || double.IsInfinity(L1))
                throw new ArgumentOutOfRangeException(nameof(L1), L1, "L1 must be a finite number ≥ 0.");
            if (L1 > 0 && Solver != Solver.Lbfgs)
                throw new ArgumentOutOfRangeException(nameof(L1), L1, "L1 needs Solver = Lbfgs (AdamW has no L1 term).");
            if (BatchSize is not null && Solver == Solver.Lbfgs)
                throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Solver = Lbfgs is full-batch: leave BatchSize null.");
            if (HistorySize < 1)
                throw new ArgumentOutOfRangeException(nameof(HistorySize), HistorySize, "HistorySize must be ≥ 1.");
            if (!(OptimizationTolerance >= 0) || double.IsInfinity(OptimizationTolerance))
                throw new ArgumentOutOfRangeException(nameof(OptimizationTolerance), OptimizationTolerance, "OptimizationTolerance must be a finite number ≥ 0.");
        }
    }

    /// <summary>How the features are computed with: a dense n × D batch, or each row's non-zeros.</summary>
    internal enum FeatureLayout
    {
        Dense,
        Sparse,
    }

    // The sparse computation is chosen when at most a third of the n × D features are non-zero: there its tensors (an int64
    // index and a float32 value per non-zero) are no larger than the dense batch. One-hot and text features are far below
    // that (a 64,628-slot text featurization as a dense batch took 3.5 GB and 59.7 s for 100 steps).
    private const int SparseBelow = 3;

    private readonly MulticlassClassificationCatalog.MulticlassClassificationTrainers _catalog;
    private readonly Options _options;

    /// <summary>Creates the trainer; prefer <c>mlContext.MulticlassClassification.Trainers.SoftmaxRegression(...)</c>.</summary>
    /// <param name="catalog">The user's multiclass trainers catalog: the model is made in its context.</param>
    /// <param name="options">The options (copied).</param>
    public SoftmaxRegressionTrainer(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        _options = new Options
        {
            LabelColumnName = options.LabelColumnName, FeatureColumnName = options.FeatureColumnName, ExampleWeightColumnName = options.ExampleWeightColumnName,
            L2 = options.L2, LearningRate = options.LearningRate, Steps = options.Steps, BatchSize = options.BatchSize, Seed = options.Seed, Threads = options.Threads,
            Layout = options.Layout, Solver = options.Solver, L1 = options.L1, HistorySize = options.HistorySize, OptimizationTolerance = options.OptimizationTolerance,
        };
    }

    /// <inheritdoc/>
    public MulticlassPredictionTransformer<MaximumEntropyModelParameters> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (features, label) = CheckColumns(input.Schema);
        var data = SoftmaxRegressionData.Read(input, features, label, _options.ExampleWeightColumnName);
        var (weights, biases) = Train(data);
        return SoftmaxRegressionModelWriter.Create(_catalog, input.Schema, _options.LabelColumnName, _options.FeatureColumnName, weights, biases);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TemplateTrainer(_catalog, _options.LabelColumnName, _options.FeatureColumnName).GetOutputSchema(inputSchema);

    internal static IEstimator<ITransformer> TemplateTrainer(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string label, string features) =>
        catalog.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = label, FeatureColumnName = features, MaximumNumberOfIterations = 1, L1Regularization = 0, L2Regularization = 0,
        });

    private (DataViewSchema.Column Features, DataViewSchema.Column Label) CheckColumns(DataViewSchema schema)
    {
        var features = schema.GetColumnOrNull(_options.FeatureColumnName)
            ?? throw Makemore.ML.Data.SchemaErrors.Missing("feature", _options.FeatureColumnName);
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType, Size: > 0 } vector || vector.ItemType != NumberDataViewType.Single)
            throw Makemore.ML.Data.SchemaErrors.Mismatch("feature", _options.FeatureColumnName, "known-size vector of Single", features.Type);
        var label = schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw Makemore.ML.Data.SchemaErrors.Missing("label", _options.LabelColumnName);
        if (label.Type is not KeyDataViewType key || key.Count is < 2 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{_options.LabelColumnName}' must be a key with at least 2 values (use MapValueToKey), but is {label.Type}.");
        return (features, label);
    }

    private (float[] Weights, float[] Biases) Train(SoftmaxRegressionData data)
    {
        if (_options.Solver == Solver.Lbfgs)
            return TrainLbfgs(data);
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(_options.Threads);
        var layout = _options.Layout ?? (data.NonZeroCount * SparseBelow <= data.Count * data.FeatureCount ? FeatureLayout.Sparse : FeatureLayout.Dense);
        return layout == FeatureLayout.Sparse ? TrainSparse(data) : TrainDense(data);
    }

    private (float[] Weights, float[] Biases) TrainDense(SoftmaxRegressionData data)
    {
        using var module = new LinearSoftmax(data.FeatureCount, data.ClassCount);
        using var inputs = tensor(data.ToDense(), [data.Count, data.FeatureCount]); // (n, D)
        using var targets = tensor(data.Labels); // (n)
        using var weights = tensor(data.Weights); // (n)
        TrainingLoop.Run(TrainableModel.NllWithL2(module, module.W, _options.L2), new ExampleSet(inputs, targets, weights), TrainingOptions(data));
        using var w = module.W.detach().cpu().contiguous(); // (K, D)
        using var bias = module.B.detach().cpu().contiguous(); // (K)
        return (w.data<float>().ToArray(), bias.data<float>().ToArray());
    }

    // The examples are row numbers; a batch of them becomes the CSR bags of those rows, and its logits one embedding_bag
    // (sum of the rows of Wᵀ that the non-zeros pick, each times its value): no tensor is n × D, and the gradient of Wᵀ
    // is accumulated from the non-zeros only.
    private (float[] Weights, float[] Biases) TrainSparse(SoftmaxRegressionData data)
    {
        using var module = new SparseLinearSoftmax(data.FeatureCount, data.ClassCount);
        using var rows = arange(data.Count, dtype: ScalarType.Int64); // (n)
        using var targets = tensor(data.Labels); // (n)
        using var weights = tensor(data.Weights); // (n)
        using var all = CsrBatch.Of(data, null);
        var transposed = module.Columns.weight!; // (D, K) = Wᵀ
        Tensor Logits(Tensor batch)
        {
            if (ReferenceEquals(batch, rows))
                return module.Logits(all); // the full batch: its bags are made once
            var bags = CsrBatch.Of(data, batch.data<long>().ToArray()); // disposed by the step's scope
            return module.Logits(bags);
        }
        TrainingLoop.Run(TrainableModel.NllWithL2(module, Logits, transposed, _options.L2), new ExampleSet(rows, targets, weights), TrainingOptions(data));
        using var w = transposed.detach().t().cpu().contiguous(); // (K, D)
        using var bias = module.B.detach().cpu().contiguous(); // (K)
        return (w.data<float>().ToArray(), bias.data<float>().ToArray());
    }

    // Plain C# over the CSR rows whatever their density: a loss and gradient costs the non-zeros (K-wide multiply-adds),
    // and the optimizer's vector work is over K·D floats.
    private (float[] Weights, float[] Biases) TrainLbfgs(SoftmaxRegressionData data)
    {
        var objective = new SoftmaxRegressionObjective(data, _options.L2);
        var theta = new float[objective.Length]; // Wᵀ (D, K), then b (K)
        var solver = new OrthantWiseLbfgs(_options.HistorySize, _options.OptimizationTolerance, _options.Steps);
        var (iterations, loss) = solver.Minimize(objective.Evaluate, theta, (int)objective.WeightCount, _options.L1 / objective.WeightCount);
        using (var channel = Catalogs.ChannelFor(Catalogs.EnvironmentOf(_catalog), "Makemore.SoftmaxRegression", "Training"))
            channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"L-BFGS on {data.Count:N0} rows × {data.FeatureCount:N0} features ({data.NonZeroCount:N0} non-zeros), {data.ClassCount} classes: {iterations} iterations, loss {loss:F6}{(iterations == _options.Steps ? " (stopped at Steps)" : "")}."));
        int k = data.ClassCount, d = data.FeatureCount;
        var weights = new float[objective.WeightCount]; // (K, D)
        for (int j = 0; j < d; j++)
            for (int c = 0; c < k; c++)
                weights[(long)c * d + j] = theta[(long)j * k + c];
        return (weights, theta[(int)objective.WeightCount..]);
    }

    private TrainingOptions TrainingOptions(SoftmaxRegressionData data) => new()
    {
        Steps = _options.Steps,
        BatchSize = _options.BatchSize is int b && b < data.Count ? b : null,
        LearningRate = _options.LearningRate,
        Optimizer = new AdamWOptions(WeightDecay: 0),
        Schedule = new ConstantSchedule(),
        Seed = _options.Seed,
    };

    /// <summary>The module of dense features: logits = x · Wᵀ + b, from zeros.</summary>
    private sealed class LinearSoftmax : nn.Module<Tensor, Tensor>
    {
        public LinearSoftmax(int featureCount, int classCount) : base(nameof(LinearSoftmax))
        {
            W = nn.Parameter(zeros(classCount, featureCount));
            B = nn.Parameter(zeros(classCount));
            RegisterComponents();
        }

        public global::TorchSharp.Modules.Parameter W { get; } // (K, D)

        public global::TorchSharp.Modules.Parameter B { get; } // (K)

        public override Tensor forward(Tensor x) => x.matmul(W.t()) + B; // (n, D) @ (D, K) + (K) → (n, K)
    }

    /// <summary>The module of sparse features: the same logits, x · Wᵀ + b, as a sum over each row's non-zeros; from zeros.</summary>
    private sealed class SparseLinearSoftmax : nn.Module
    {
        public SparseLinearSoftmax(int featureCount, int classCount) : base(nameof(SparseLinearSoftmax))
        {
            Columns = nn.EmbeddingBag(featureCount, classCount, mode: global::TorchSharp.EmbeddingBagMode.Sum);
            using (no_grad())
                Columns.weight!.zero_();
            B = nn.Parameter(zeros(classCount));
            RegisterComponents();
        }

        public global::TorchSharp.Modules.EmbeddingBag Columns { get; } // weight (D, K) = Wᵀ: row j is what feature j adds to each class's logit

        public global::TorchSharp.Modules.Parameter B { get; } // (K)

        public Tensor Logits(CsrBatch bags) => Columns.call(bags.Indices, bags.Offsets, bags.Values) + B; // Σ_j x_j · Wᵀ[j] over the non-zeros + (K) → (b, K)
    }

    /// <summary>Rows of <see cref="SoftmaxRegressionData"/> as embedding_bag's input: the non-zeros' indices and values, and where each row starts.</summary>
    private sealed class CsrBatch : IDisposable
    {
        private CsrBatch(Tensor indices, Tensor offsets, Tensor values) => (Indices, Offsets, Values) = (indices, offsets, values);

        public Tensor Indices { get; } // (nnz) int64 feature indices

        public Tensor Offsets { get; } // (b) int64: row i's non-zeros start at Offsets[i]

        public Tensor Values { get; } // (nnz) float32 feature values, embedding_bag's per-sample weights

        /// <summary>The given rows (all of them when null), in that order.</summary>
        public static CsrBatch Of(SoftmaxRegressionData data, long[]? rows)
        {
            if (rows is null)
                return new(tensor(data.Indices.Select(i => (long)i).ToArray()), tensor(data.RowStarts.AsSpan(0, (int)data.Count).ToArray()), tensor(data.Values));
            var offsets = new long[rows.Length];
            long nonZeros = 0;
            for (int i = 0; i < rows.Length; i++)
            {
                offsets[i] = nonZeros;
                nonZeros += data.RowStarts[rows[i] + 1] - data.RowStarts[rows[i]];
            }
            var indices = new long[nonZeros];
            var values = new float[nonZeros];
            for (int i = 0; i < rows.Length; i++)
            {
                long start = data.RowStarts[rows[i]], length = data.RowStarts[rows[i] + 1] - start;
                for (long j = 0; j < length; j++)
                {
                    indices[offsets[i] + j] = data.Indices[start + j];
                    values[offsets[i] + j] = data.Values[start + j];
                }
            }
            return new(tensor(indices), tensor(offsets), tensor(values));
        }

        public void Dispose()
        {
            Indices.Dispose();
            Offsets.Dispose();
            Values.Dispose();
        }
    }
}

using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Makemore.ML.TorchSharp.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// The exact plain-SGD step of an <see cref="MlpNetwork"/> (all three lecture kinds, any depth), written out instead of
/// taken from autograd: the forward pass keeps each level's activations, the backward pass is done by hand, and every
/// parameter (batch-norm running statistics included) moves in place. What <see cref="MlpEstimator"/> offers the loop
/// as <see cref="TrainableModel.SgdStep"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why: at batch 32 these networks are a few hundred thousand multiply-adds, so autograd's step is per-call overhead
/// (about 20 libtorch calls for the MLP, 60 for the WaveNet, each with graph bookkeeping, plus zeroing and the update
/// of every parameter). Here the matrix products, the only work worth a BLAS call, are libtorch <c>addmm_</c> calls into
/// buffers kept between steps (no allocation per step); everything else (the embedding gather and its scatter, bias,
/// batch norm, tanh, log-softmax and their gradients, the updates) is plain C# over the same memory with
/// <see cref="TensorPrimitives"/>.
/// </para>
/// <para>
/// Exactness: each gradient is the one autograd computes, formed in the same order where it matters (the weight
/// gradients are the same BLAS products, applied as <c>p += (−lr)·grad</c> with one fused multiply-add as
/// <c>add_(grad, alpha)</c> does); tanh, exp and the batch statistics are computed by other code than libtorch's, so
/// the parameters agree with autograd's to float rounding, not bit for bit (tested, all kinds).
/// </para>
/// <para>
/// Layout: a level's input is the previous level's output (rows = batch × positions, columns = width) viewed as
/// (rows / g, g·width): fusing g consecutive positions is a reshape of contiguous memory, so every level is a 2-D
/// matrix product and its batch norm reduces over rows, which is the lecture's BatchNorm1d over batch and positions.
/// </para>
/// </remarks>
internal sealed class MlpSgdStep : IDisposable
{
    private readonly MlpNetwork _network;
    private readonly int _block, _embedding, _vocabulary;
    private readonly Level[] _levels;
    private readonly float[] _embeddingGradient; // (V·E)
    private readonly float[] _outputBiasGradient; // (V)
    private Buffers? _buffers; // for the last batch size

    private MlpSgdStep(MlpNetwork network)
    {
        _network = network;
        _block = network.BlockSize;
        _embedding = network.EmbeddingSize;
        _vocabulary = network.VocabularySize;
        int width = _embedding;
        _levels = network.levels.Select(level =>
        {
            var l = new Level(level, width);
            width = l.Width;
            return l;
        }).ToArray();
        _embeddingGradient = new float[_vocabulary * _embedding];
        _outputBiasGradient = new float[_vocabulary];
    }

    /// <summary>
    /// The step for <paramref name="network"/>, or null (the loop then uses autograd) when the network is not on the CPU
    /// (the step works in the parameters' memory) or a batch norm uses a cumulative average (momentum null).
    /// </summary>
    public static MlpSgdStep? For(MlpNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.C.device_type != global::TorchSharp.DeviceType.CPU || network.levels.Any(l => l.bn is { momentum: null }) ? null : new MlpSgdStep(network);
    }

    /// <summary>One step of <c>p −= learningRate·∇NLL</c> for every parameter; the loss at the parameters before it.</summary>
    /// <param name="inputs">(b, block) int64 contexts.</param>
    /// <param name="targets">(b) int64 next ids.</param>
    /// <param name="weights">(b) float32 event weights, or null for all ones.</param>
    /// <param name="learningRate">This step's learning rate.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first step: tiered JIT would start it in tier-0 code
    public LossTerms Step(Tensor inputs, Tensor targets, Tensor? weights, double learningRate)
    {
        using var noGrad = no_grad();
        int b = checked((int)targets.shape[0]);
        if (inputs.dim() != 2 || inputs.shape[0] != b || inputs.shape[1] != _block)
            throw new ArgumentException($"The inputs must be ({b}, {_block}) contexts; they are ({string.Join(", ", inputs.shape)}).", nameof(inputs));
        if (_buffers?.Batch != b)
        {
            _buffers?.Dispose();
            _buffers = new Buffers(this, b);
        }
        var buffers = _buffers;
        float rate = -(float)learningRate;
        ReadOnlySpan<long> ids = Longs(inputs); // (b·block)
        ReadOnlySpan<long> next = Longs(targets); // (b)

        // Forward. Embeddings: (b·block, E) rows of C, which is a (b·block / g, g·E) matrix for the first level.
        Span<float> table = Floats(_network.C), embedded = Floats(buffers.Embedded);
        for (int j = 0; j < ids.Length; j++)
            table.Slice(checked((int)ids[j]) * _embedding, _embedding).CopyTo(embedded.Slice(j * _embedding, _embedding));
        for (int i = 0; i < _levels.Length; i++)
            _levels[i].Forward(buffers.Inputs[i], buffers.Levels[i]);
        var last = buffers.Levels[^1];
        buffers.Logits.addmm_(last.Output, _network.W, 0, 1); // (b, H) @ (H, V) → (b, V)
        Span<float> logits = Floats(buffers.Logits);
        AddToRows(logits, Floats(_network.b));

        // Loss and ∂loss/∂logits, in place: log-softmax per row, then (softmax − onehot(y))·share, where share is each
        // event's part of the (weighted) mean, as autograd forms it: (1/Σw)·w, or 1/b.
        float total = weights is null ? b : TensorPrimitives.Sum(Floats(weights));
        float inverse = 1f / total;
        ReadOnlySpan<float> eventWeights = weights is null ? default : Floats(weights);
        double nll = 0; // summed in double: a full batch has 228,146 rows
        for (int r = 0; r < b; r++)
        {
            var row = logits.Slice(r * _vocabulary, _vocabulary);
            TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
            float logSum = MathF.Log(SumOfExp(row));
            TensorPrimitives.Subtract(row, logSum, row); // log-probabilities
            int y = checked((int)next[r]);
            float share = weights is null ? inverse : inverse * eventWeights[r];
            nll -= weights is null ? row[y] : (double)row[y] * eventWeights[r];
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Multiply(row, share, row);
            row[y] -= share;
        }
        float loss = (float)(nll / total);

        // Backward: the read-out, then the levels from the top, then the embeddings.
        last.OutputGradient.addmm_(buffers.Logits, buffers.ReadOutTransposed.Of(_network.W), 0, 1); // (b, V) @ (V, H) → (b, H), before W moves
        buffers.ReadOutGradient.addmm_(last.OutputTransposed, buffers.Logits, 0, 1); // (H, b) @ (b, V) → (H, V)
        Descend(Floats(_network.W), Floats(buffers.ReadOutGradient), rate);
        SumRows(logits, _outputBiasGradient);
        Descend(Floats(_network.b), _outputBiasGradient, rate);
        for (int i = _levels.Length - 1; i >= 0; i--)
            _levels[i].Backward(buffers.Inputs[i], buffers.InputsTransposed[i], buffers.InputGradients[i], buffers.Levels[i], rate);
        Span<float> gradient = _embeddingGradient, embeddedGradient = Floats(buffers.EmbeddedGradient);
        gradient.Clear();
        for (int j = 0; j < ids.Length; j++)
        {
            var into = gradient.Slice((int)ids[j] * _embedding, _embedding);
            TensorPrimitives.Add(into, embeddedGradient.Slice(j * _embedding, _embedding), into);
        }
        Descend(table, gradient, rate);
        var value = tensor(loss);
        return LossTerms.Of(value);
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        _buffers?.Dispose();
        _buffers = null;
    }

    private static float SumOfExp(ReadOnlySpan<float> row)
    {
        Span<float> exp = stackalloc float[row.Length];
        TensorPrimitives.Exp(row, exp);
        return TensorPrimitives.Sum(exp);
    }

    // p += rate·grad with one fused multiply-add per element, as libtorch's add_(grad, alpha) computes it.
    private static void Descend(Span<float> parameter, ReadOnlySpan<float> gradient, float rate) =>
        TensorPrimitives.FusedMultiplyAdd(gradient, rate, parameter, parameter);

    private static void AddToRows(Span<float> matrix, ReadOnlySpan<float> vector)
    {
        for (int at = 0; at < matrix.Length; at += vector.Length)
        {
            var row = matrix.Slice(at, vector.Length);
            TensorPrimitives.Add(row, vector, row);
        }
    }

    private static void SumRows(ReadOnlySpan<float> matrix, Span<float> sums)
    {
        sums.Clear();
        for (int at = 0; at < matrix.Length; at += sums.Length)
            TensorPrimitives.Add(sums, matrix.Slice(at, sums.Length), sums);
    }

    // The storage of a contiguous CPU tensor (parameters and the step's own buffers are; batches are fresh copies).
    private static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(Contiguous(t).bytes);

    private static ReadOnlySpan<long> Longs(Tensor t) => MemoryMarshal.Cast<byte, long>(Contiguous(t).bytes);

    private static Tensor Contiguous(Tensor t) => t.is_contiguous() ? t : t.contiguous();

    /// <summary>One hidden level's parameters and the plain arrays its batch norm works in.</summary>
    private sealed class Level
    {
        private readonly MlpLevel _level;
        private readonly float[] _biasGradient, _mean, _invstd, _scale, _sum, _dot, _gainGradient, _shift, _slope;
        private readonly float _momentum, _eps;

        public Level(MlpLevel level, int inputWidth)
        {
            _level = level;
            InputWidth = inputWidth;
            Group = level.GroupSize;
            Width = (int)level.W.shape[1];
            _biasGradient = new float[Width];
            _slope = new float[Width];
            (_mean, _invstd, _scale, _sum, _dot, _gainGradient, _shift) =
                (new float[Width], new float[Width], new float[Width], new float[Width], new float[Width], new float[Width], new float[Width]);
            if (level.bn is { } bn)
                (_momentum, _eps) = ((float)bn.momentum!.Value, (float)bn.eps);
        }

        public int InputWidth { get; }
        public int Group { get; }
        public int Width { get; }

        /// <summary>Pre-activation → (batch norm) → tanh: <paramref name="state"/>.Output = tanh(…), .Centered keeps what backward needs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Forward(Tensor input, LevelBuffers state)
        {
            state.Centered.addmm_(input, _level.W, 0, 1); // (r, g·in) @ (g·in, H) → (r, H)
            Span<float> z = Floats(state.Centered), a = Floats(state.Output);
            if (_level.b is { } bias)
                AddToRows(z, Floats(bias));
            if (_level.bn is { } bn)
                BatchNorm(bn, z, a);
            else
                z.CopyTo(a);
            TensorPrimitives.Tanh(a, a);
        }

        // Training-mode batch norm over the rows, per column: z becomes z − mean (kept for backward), a = γ·(z − mean)/σ + β;
        // the running statistics move by the momentum (variance unbiased), num_batches_tracked counts the batch.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BatchNorm(BatchNorm1d bn, Span<float> z, Span<float> a)
        {
            int rows = z.Length / Width;
            SumRows(z, _sum);
            TensorPrimitives.Divide(_sum, rows, _mean);
            _sum.AsSpan().Clear(); // Σ (z − mean)²
            for (int at = 0; at < z.Length; at += Width)
            {
                var row = z.Slice(at, Width);
                TensorPrimitives.Subtract(row, _mean, row);
                TensorPrimitives.FusedMultiplyAdd(row, row, _sum, _sum);
            }
            TensorPrimitives.Divide(_sum, rows, _invstd); // biased variance
            Span<float> runningMean = Floats(bn.running_mean!), runningVariance = Floats(bn.running_var!);
            TensorPrimitives.Multiply(runningMean, 1 - _momentum, runningMean);
            TensorPrimitives.FusedMultiplyAdd(_mean, _momentum, runningMean, runningMean);
            TensorPrimitives.Multiply(runningVariance, 1 - _momentum, runningVariance);
            TensorPrimitives.FusedMultiplyAdd(_invstd, _momentum * rows / (rows - 1f), runningVariance, runningVariance);
            if (bn.num_batches_tracked is { } tracked)
                MemoryMarshal.Cast<byte, long>(tracked.bytes)[0]++;
            TensorPrimitives.Add(_invstd, _eps, _invstd);
            TensorPrimitives.Sqrt(_invstd, _invstd);
            TensorPrimitives.Divide(1f, _invstd, _invstd); // 1/σ
            TensorPrimitives.Multiply(_invstd, Floats(bn.weight!), _scale); // γ/σ
            ReadOnlySpan<float> shift = Floats(bn.bias!);
            for (int at = 0; at < z.Length; at += Width)
                TensorPrimitives.FusedMultiplyAdd(z.Slice(at, Width), _scale, shift, a.Slice(at, Width));
        }

        /// <summary>From ∂loss/∂output (in <paramref name="state"/>.OutputGradient) to ∂loss/∂input (into <paramref name="inputGradient"/>), moving this level's parameters.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Backward(Tensor input, Tensor inputTransposed, Tensor inputGradient, LevelBuffers state, float rate)
        {
            Span<float> gradient = Floats(state.OutputGradient), a = Floats(state.Output);
            // tanh: ∂/∂pre = ∂/∂out · (1 − out²), in place
            Span<float> slope = _slope;
            for (int at = 0; at < gradient.Length; at += Width)
            {
                var row = a.Slice(at, Width);
                TensorPrimitives.Multiply(row, row, slope);
                TensorPrimitives.Subtract(1f, slope, slope);
                var g = gradient.Slice(at, Width);
                TensorPrimitives.Multiply(g, slope, g);
            }
            if (_level.bn is { } bn)
                BatchNormBackward(bn, Floats(state.Centered), gradient, rate);
            if (_level.b is { } bias)
            {
                SumRows(gradient, _biasGradient);
                Descend(Floats(bias), _biasGradient, rate);
            }
            inputGradient.addmm_(state.OutputGradient, state.WeightTransposed.Of(_level.W), 0, 1); // (r, H) @ (H, g·in) → (r, g·in), before W moves
            state.WeightGradient.addmm_(inputTransposed, state.OutputGradient, 0, 1); // (g·in, r) @ (r, H) → (g·in, H)
            Descend(Floats(_level.W), Floats(state.WeightGradient), rate);
        }

        // ∂/∂z = γ/σ · (∂/∂a − mean(∂/∂a) − (z − mean)·Σ((z − mean)·∂/∂a)/(σ²·N)), libtorch's batch_norm_backward; then γ and β move.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BatchNormBackward(BatchNorm1d bn, ReadOnlySpan<float> centered, Span<float> gradient, float rate)
        {
            int rows = gradient.Length / Width;
            SumRows(gradient, _sum); // ∂/∂β
            _dot.AsSpan().Clear();
            for (int at = 0; at < gradient.Length; at += Width)
                TensorPrimitives.FusedMultiplyAdd(centered.Slice(at, Width), gradient.Slice(at, Width), _dot, _dot);
            TensorPrimitives.Multiply(_dot, _invstd, _gainGradient); // ∂/∂γ = Σ x̂·∂/∂a
            TensorPrimitives.Divide(_sum, -rows, _mean); // −mean(∂/∂a), reusing the forward's mean
            TensorPrimitives.Multiply(_dot, _invstd, _shift);
            TensorPrimitives.Multiply(_shift, _invstd, _shift);
            TensorPrimitives.Divide(_shift, -rows, _shift); // −Σ(x − μ)·∂/∂a / (σ²·N)
            for (int at = 0; at < gradient.Length; at += Width)
            {
                var g = gradient.Slice(at, Width);
                TensorPrimitives.Add(g, _mean, g);
                TensorPrimitives.FusedMultiplyAdd(centered.Slice(at, Width), _shift, g, g);
                TensorPrimitives.Multiply(g, _scale, g);
            }
            Descend(Floats(bn.weight!), _gainGradient, rate);
            Descend(Floats(bn.bias!), _sum, rate);
        }
    }

    /// <summary>One level's tensors for one batch size: pre-activation (centred under batch norm), output, their gradient.</summary>
    private sealed class LevelBuffers(int rows, int width, int weightRows) : IDisposable
    {
        private Tensor? _outputTransposed;

        public Tensor Centered { get; } = zeros(rows, width).DetachFromDisposeScope(); // (r, H)
        public Tensor Output { get; } = zeros(rows, width).DetachFromDisposeScope(); // (r, H)
        public Tensor OutputTransposed => _outputTransposed ??= Output.t().DetachFromDisposeScope(); // (H, r)
        public Tensor OutputGradient { get; } = zeros(rows, width).DetachFromDisposeScope(); // (r, H)
        public Tensor WeightGradient { get; } = zeros(weightRows, width).DetachFromDisposeScope(); // (g·in, H)
        public TransposedView WeightTransposed { get; } = new(); // (H, g·in)

        public void Dispose()
        {
            foreach (var t in new[] { Centered, Output, OutputGradient, WeightGradient, _outputTransposed })
                t?.Dispose();
            WeightTransposed.Dispose();
        }
    }

    /// <summary>A parameter's transpose as a view, made once and made again only if the parameter's tensor is replaced.</summary>
    private sealed class TransposedView : IDisposable
    {
        private Tensor? _view;
        private IntPtr _of;

        public Tensor Of(Tensor weight)
        {
            if (_view is null || _of != weight.Handle)
            {
                _view?.Dispose();
                _view = weight.t().DetachFromDisposeScope();
                _of = weight.Handle;
            }
            return _view;
        }

        public void Dispose() => _view?.Dispose();
    }

    /// <summary>Every tensor a step of batch size <see cref="Batch"/> writes, made once and reused.</summary>
    private sealed class Buffers : IDisposable
    {
        private readonly List<Tensor> _owned = [];

        public Buffers(MlpSgdStep step, int batch)
        {
            Batch = batch;
            Embedded = Own(zeros(batch * step._block, step._embedding)); // (b·block, E)
            EmbeddedGradient = Own(zeros(batch * step._block, step._embedding));
            var levels = new LevelBuffers[step._levels.Length];
            Inputs = new Tensor[levels.Length];
            InputsTransposed = new Tensor[levels.Length];
            InputGradients = new Tensor[levels.Length];
            long rows = (long)batch * step._block; // rows of the level below: batch × positions
            Tensor below = Embedded, belowGradient = EmbeddedGradient;
            for (int i = 0; i < levels.Length; i++)
            {
                var level = step._levels[i];
                rows /= level.Group;
                int fused = level.Group * level.InputWidth;
                Inputs[i] = Own(below.view(rows, fused)); // (r, g·in): g consecutive positions side by side
                InputsTransposed[i] = Own(Inputs[i].t()); // (g·in, r)
                InputGradients[i] = Own(belowGradient.view(rows, fused));
                levels[i] = new LevelBuffers((int)rows, level.Width, fused);
                (below, belowGradient) = (levels[i].Output, levels[i].OutputGradient);
            }
            if (rows != batch)
                throw new InvalidOperationException($"The levels leave {rows / batch} positions per example; the read-out needs 1.");
            Levels = levels;
            Logits = Own(zeros(batch, step._vocabulary)); // (b, V), then ∂loss/∂logits in place
            ReadOutGradient = Own(zeros(step._levels[^1].Width, step._vocabulary)); // (H, V)
        }

        public int Batch { get; }
        public Tensor Embedded { get; }
        public Tensor EmbeddedGradient { get; }
        public Tensor[] Inputs { get; }
        public Tensor[] InputsTransposed { get; }
        public Tensor[] InputGradients { get; }
        public LevelBuffers[] Levels { get; }
        public Tensor Logits { get; }
        public Tensor ReadOutGradient { get; }

        /// <summary>The read-out's Wᵀ, (V, H).</summary>
        public TransposedView ReadOutTransposed { get; } = new();

        public void Dispose()
        {
            foreach (var level in Levels)
                level.Dispose();
            foreach (var t in _owned)
                t.Dispose();
            ReadOutTransposed.Dispose();
        }

        private Tensor Own(Tensor t)
        {
            t.DetachFromDisposeScope();
            _owned.Add(t);
            return t;
        }
    }
}

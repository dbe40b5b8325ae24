using System.Globalization;
using System.Numerics.Tensors;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>The recurrence of a <see cref="RecurrentModel"/>: how the next hidden state follows from an input and the previous one.</summary>
public enum RecurrentCell
{
    /// <summary>
    /// Elman RNN as in Mikolov et al. 2010 (Recurrent neural network based language model) and makemore.py's <c>RNNCell</c>:
    /// <c>h = tanh(W·[x, h] + b)</c>. One gate block.
    /// </summary>
    Rnn,

    /// <summary>
    /// Gated recurrent unit, Cho et al. 2014 (Learning Phrase Representations using RNN Encoder–Decoder), as makemore.py's
    /// <c>GRUCell</c>: <c>r = σ(W_r·[x, h]); h̄ = tanh(W_h̄·[x, r⊙h]); z = σ(W_z·[x, h]); h = (1 − z)⊙h + z⊙h̄</c>.
    /// Gate blocks in the order z, r, h̄.
    /// </summary>
    Gru,

    /// <summary>
    /// Long short-term memory, Hochreiter &amp; Schmidhuber 1997 (with the forget gate of Gers et al. 2000, as PyTorch's
    /// LSTMCell): <c>i, f, g, o = σ, σ, tanh, σ of W·[x, h] + b; c = f⊙c + i⊙g; h = o⊙tanh(c)</c>. Gate blocks in the
    /// order i, f, g, o; the state is (h, c).
    /// </summary>
    Lstm,
}

/// <summary>
/// makemore.py's recurrent language model as one plain C# forward pass (no libtorch): a learned start state, character
/// embeddings <c>wte</c>, a cell over the concatenation of the input embedding and the previous hidden state, and a
/// linear read-out <c>lm_head</c> of every hidden state. The input is the start token 0 followed by the item, so the
/// first prediction reads the start token's embedding and the start state. Scoring an item is one pass over it; the
/// decoder carries the state, one cell step per character.
/// </summary>
public sealed partial class RecurrentModel : ILanguageModel
{
    private readonly float[] _start;
    private readonly float[] _embedding;
    private readonly float[] _cellWeight;
    private readonly float[] _cellBias;
    private readonly float[] _outputWeight;
    private readonly float[] _outputBias;
    private readonly int _v, _e, _h, _gates;

    // W_x·C[c] + b for every character c: (V, gates·H). An input is a one-hot id, so the input half of every gate is a row
    // lookup (the lectures' E04), leaving only the recurrent half W_h·h to compute per step.
    private readonly float[] _inputTable;

    // The recurrent half of the gate weights, (gates·H, H) row-major: each gate unit is one dot product with h.
    private readonly float[] _recurrentWeight;

    /// <summary>Creates a model from its trained parameters (PyTorch's <c>nn.Linear</c> layout: weights are (out, in)).</summary>
    /// <param name="vocabulary">The characters; V = <c>vocabulary.Size</c>, id 0 the start and end token.</param>
    /// <param name="cell">The recurrence.</param>
    /// <param name="embeddingSize">E, makemore.py's <c>n_embd</c>.</param>
    /// <param name="hiddenSize">H, makemore.py's <c>n_embd2</c>.</param>
    /// <param name="start">The learned start state: h (H), then for the LSTM c (H).</param>
    /// <param name="embedding"><c>wte</c>, (V, E) row-major.</param>
    /// <param name="cellWeight">The cell's gate blocks stacked, (gates·H, E + H): each row reads [x, h].</param>
    /// <param name="cellBias">The cell's gate biases, (gates·H).</param>
    /// <param name="outputWeight"><c>lm_head</c>'s weight, (V, H).</param>
    /// <param name="outputBias"><c>lm_head</c>'s bias, (V).</param>
    public RecurrentModel(CharacterVocabulary vocabulary, RecurrentCell cell, int embeddingSize, int hiddenSize, float[] start,
        float[] embedding, float[] cellWeight, float[] cellBias, float[] outputWeight, float[] outputBias)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!Enum.IsDefined(cell))
            throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown recurrent cell.");
        if (embeddingSize < 1 || hiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(embeddingSize), "Embedding and hidden sizes must be ≥ 1.");
        int v = vocabulary.Size, gates = GateCount(cell);
        Check(start, (long)StateCount(cell) * hiddenSize, nameof(start));
        Check(embedding, (long)v * embeddingSize, nameof(embedding));
        Check(cellWeight, (long)gates * hiddenSize * (embeddingSize + hiddenSize), nameof(cellWeight));
        Check(cellBias, (long)gates * hiddenSize, nameof(cellBias));
        Check(outputWeight, (long)v * hiddenSize, nameof(outputWeight));
        Check(outputBias, v, nameof(outputBias));
        Vocabulary = vocabulary;
        Cell = cell;
        EmbeddingSize = embeddingSize;
        HiddenSize = hiddenSize;
        (_start, _embedding, _cellWeight, _cellBias, _outputWeight, _outputBias) = (start, embedding, cellWeight, cellBias, outputWeight, outputBias);
        (_v, _e, _h, _gates) = (v, embeddingSize, hiddenSize, gates);
        NeuralModelLimits.CheckParameterCount(ParameterCount, nameof(cellWeight));
        (_inputTable, _recurrentWeight) = Split();
    }

    /// <inheritdoc/>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>The recurrence.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>E, the width of a character embedding (makemore.py's <c>n_embd</c>).</summary>
    public int EmbeddingSize { get; }

    /// <summary>H, the width of the hidden state (makemore.py's <c>n_embd2</c>).</summary>
    public int HiddenSize { get; }

    /// <summary>The learned start state: h (H), then c (H) for the LSTM. Shared: do not modify.</summary>
    public ReadOnlySpan<float> Start => _start;

    /// <summary><c>wte</c>, (V, E). Shared: do not modify.</summary>
    public ReadOnlySpan<float> Embedding => _embedding;

    /// <summary>The cell's stacked gate weights, (gates·H, E + H). Shared: do not modify.</summary>
    public ReadOnlySpan<float> CellWeight => _cellWeight;

    /// <summary>The cell's stacked gate biases, (gates·H). Shared: do not modify.</summary>
    public ReadOnlySpan<float> CellBias => _cellBias;

    /// <summary><c>lm_head</c>'s weight, (V, H). Shared: do not modify.</summary>
    public ReadOnlySpan<float> OutputWeight => _outputWeight;

    /// <summary><c>lm_head</c>'s bias, (V). Shared: do not modify.</summary>
    public ReadOnlySpan<float> OutputBias => _outputBias;

    /// <summary>Trained parameters, as PyTorch counts them.</summary>
    public long ParameterCount => _start.LongLength + _embedding.LongLength + _cellWeight.LongLength + _cellBias.LongLength
        + _outputWeight.LongLength + _outputBias.LongLength;

    /// <summary>Gate blocks of H units the cell computes from [x, h]: 1 (RNN), 3 (GRU: z, r, h̄) or 4 (LSTM: i, f, g, o).</summary>
    public static int GateCount(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Rnn => 1,
        RecurrentCell.Gru => 3,
        RecurrentCell.Lstm => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown recurrent cell."),
    };

    /// <summary>Vectors of H in the state: 1 (h), or 2 for the LSTM (h, c).</summary>
    public static int StateCount(RecurrentCell cell) => cell == RecurrentCell.Lstm ? 2 : 1;

    /// <inheritdoc/>
    public void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities) => Score(ids, logProbabilities, default);

    /// <inheritdoc/>
    public void LogProbabilitiesAndNext(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> nextProbabilities)
    {
        if (nextProbabilities.Length != _v)
            throw new ArgumentException($"Expected room for {_v} probabilities, got {nextProbabilities.Length}.", nameof(nextProbabilities));
        Score(ids, logProbabilities, nextProbabilities);
    }

    // Log-probabilities of an item and, when next is not empty, the distribution after it (the final state's): one pass.
    private void Score(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> next)
    {
        if (logProbabilities.Length < ids.Length + 1)
            throw new ArgumentException($"Needs room for {ids.Length + 1} values, got {logProbabilities.Length}.", nameof(logProbabilities));
        foreach (int id in ids)
            if ((uint)id >= (uint)_v || id == 0)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"A character id is 1–{_v - 1}.");
        var state = new State(this);
        for (int i = 0; i <= ids.Length; i++)
        {
            if (i > 0)
                state.Step(ids[i - 1]);
            int target = i < ids.Length ? ids[i] : 0;
            logProbabilities[i] = state.LogProbability(target);
        }
        if (!next.IsEmpty)
            state.Probabilities(next);
    }

    /// <inheritdoc/>
    public ILanguageModelDecoder StartDecoding() => new Decoder(new State(this));

    /// <summary>The architecture in one line, e.g. <c>emb 64 → GRU 64 → 27</c>.</summary>
    public string Architecture => $"emb {EmbeddingSize} → {Cell.ToString().ToUpperInvariant()} {HiddenSize} → {_v}";

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("cell", Cell switch
        {
            RecurrentCell.Rnn => "RNN (Mikolov et al. 2010)",
            RecurrentCell.Gru => "GRU (Cho et al. 2014)",
            _ => "LSTM (Hochreiter & Schmidhuber 1997)",
        }),
        new("layers", Architecture),
        new("parameters", ParameterCount.ToString("N0", CultureInfo.InvariantCulture)),
    ];

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Cell.ToString().ToUpperInvariant()}, {Architecture}, {ParameterCount:N0} parameters");

    private (float[] InputTable, float[] RecurrentWeight) Split()
    {
        int rows = _gates * _h, fanIn = _e + _h;
        var table = new float[(long)_v * rows];
        var recurrent = new float[(long)rows * _h];
        for (int c = 0; c < _v; c++)
        {
            var x = _embedding.AsSpan(c * _e, _e);
            for (int j = 0; j < rows; j++)
                table[c * rows + j] = _cellBias[j] + TensorPrimitives.Dot(_cellWeight.AsSpan(j * fanIn, _e), x);
        }
        for (int j = 0; j < rows; j++)
            _cellWeight.AsSpan(j * fanIn + _e, _h).CopyTo(recurrent.AsSpan(j * _h, _h));
        return (table, recurrent);
    }

    private static void Check(float[] values, long expected, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.LongLength != expected)
            throw new ArgumentException($"Expected {expected} values, got {values.LongLength}.", name);
    }

    /// <summary>The running state of one item and its scratch space: nothing is allocated after it is created.</summary>
    private sealed class State
    {
        private readonly RecurrentModel _model;
        private readonly float[] _h, _c, _gates, _reset, _logits;

        public State(RecurrentModel model)
        {
            _model = model;
            int h = model._h;
            _h = model._start.AsSpan(0, h).ToArray();
            _c = model.Cell == RecurrentCell.Lstm ? model._start.AsSpan(h, h).ToArray() : [];
            _gates = new float[model._gates * h];
            _reset = model.Cell == RecurrentCell.Gru ? new float[h] : [];
            _logits = new float[model._v];
            Step(0); // the start token
        }

        public int VocabularySize => _model._v;

        /// <summary>Feeds one input id (0 = the start token) through the cell.</summary>
        public void Step(int input)
        {
            var m = _model;
            int h = m._h;
            var gates = _gates.AsSpan();
            m._inputTable.AsSpan(input * gates.Length, gates.Length).CopyTo(gates); // W_x·x + b   (gates·H)
            switch (m.Cell)
            {
                case RecurrentCell.Rnn:
                    AddRecurrent(gates, 0, h, _h); // + W_h·h
                    TensorPrimitives.Tanh(gates, _h);
                    break;
                case RecurrentCell.Gru:
                {
                    // z and r read [x, h]; h̄ reads [x, r⊙h].
                    var z = gates[..h];
                    var r = gates.Slice(h, h);
                    var candidate = gates.Slice(2 * h, h);
                    AddRecurrent(gates, 0, 2 * h, _h);
                    TensorPrimitives.Sigmoid(gates[..(2 * h)], gates[..(2 * h)]);
                    TensorPrimitives.Multiply(r, _h, _reset);
                    AddRecurrent(gates, 2 * h, h, _reset);
                    TensorPrimitives.Tanh(candidate, candidate);
                    // h = (1 − z)⊙h + z⊙h̄ = h + z⊙(h̄ − h)
                    TensorPrimitives.Subtract(candidate, _h, candidate);
                    TensorPrimitives.MultiplyAdd(z, candidate, _h, _h);
                    break;
                }
                case RecurrentCell.Lstm:
                {
                    AddRecurrent(gates, 0, 4 * h, _h);
                    var i = gates[..h];
                    var f = gates.Slice(h, h);
                    var g = gates.Slice(2 * h, h);
                    var o = gates.Slice(3 * h, h);
                    TensorPrimitives.Sigmoid(gates[..(2 * h)], gates[..(2 * h)]);
                    TensorPrimitives.Tanh(g, g);
                    TensorPrimitives.Sigmoid(o, o);
                    TensorPrimitives.Multiply(f, _c, _c); // c = f⊙c + i⊙g
                    TensorPrimitives.MultiplyAdd(i, g, _c, _c);
                    TensorPrimitives.Tanh(_c, _h); // h = o⊙tanh(c)
                    TensorPrimitives.Multiply(o, _h, _h);
                    break;
                }
            }
        }

        /// <summary>Adds W_h[rows first..first+count)·vector to gates[first..first+count).</summary>
        private void AddRecurrent(Span<float> gates, int first, int count, ReadOnlySpan<float> vector)
        {
            var weight = _model._recurrentWeight.AsSpan();
            int h = _model._h;
            for (int j = first; j < first + count; j++)
                gates[j] += TensorPrimitives.Dot(weight.Slice(j * h, h), vector);
        }

        /// <summary>Logits of the next symbol from the current hidden state, less their maximum; returns ln Σ exp.</summary>
        private double Logits()
        {
            var m = _model;
            int h = m._h;
            var weight = m._outputWeight.AsSpan();
            for (int c = 0; c < _logits.Length; c++)
                _logits[c] = m._outputBias[c] + TensorPrimitives.Dot(weight.Slice(c * h, h), _h);
            float max = TensorPrimitives.Max(_logits);
            double sum = 0;
            for (int c = 0; c < _logits.Length; c++)
                sum += Math.Exp(_logits[c] -= max);
            return Math.Log(sum);
        }

        public double LogProbability(int target)
        {
            double logSum = Logits();
            return _logits[target] - logSum;
        }

        public void Probabilities(Span<double> probabilities)
        {
            double logSum = Logits();
            for (int c = 0; c < _logits.Length; c++)
                probabilities[c] = Math.Exp(_logits[c] - logSum);
        }
    }

    private sealed class Decoder(State state) : ILanguageModelDecoder
    {
        public int Length { get; private set; }

        public void NextProbabilities(Span<double> probabilities) => state.Probabilities(probabilities);

        public void Append(int id)
        {
            if ((uint)id >= (uint)state.VocabularySize || id == 0)
                throw new ArgumentOutOfRangeException(nameof(id), id, $"A character id is 1–{state.VocabularySize - 1}.");
            state.Step(id);
            Length++;
        }
    }

    /// <summary>Saved as kind <c>recurrent</c>: vocabulary, cell, E, H, then start, wte, cell weight and bias, lm_head weight and bias.</summary>
    private sealed class Codec : ModelCodec<RecurrentModel>
    {
        public override string Kind => "recurrent";

        public override int Version => 1;

        protected override void Write(RecurrentModel model, BinaryWriter writer)
        {
            model.Vocabulary.Write(writer);
            writer.Write((int)model.Cell);
            writer.Write(model.EmbeddingSize);
            writer.Write(model.HiddenSize);
            foreach (var array in new[] { model._start, model._embedding, model._cellWeight, model._cellBias, model._outputWeight, model._outputBias })
                StateIO.WriteArray(writer, array);
        }

        protected override RecurrentModel ReadModel(BinaryReader reader)
        {
            var vocabulary = CharacterVocabulary.Read(reader);
            var cell = (RecurrentCell)reader.ReadInt32();
            if (!Enum.IsDefined(cell))
                throw new InvalidDataException($"A saved recurrent model names cell {(int)cell}, which this version does not know.");
            int embeddingSize = reader.ReadInt32(), hiddenSize = reader.ReadInt32();
            var arrays = new float[6][];
            for (int i = 0; i < arrays.Length; i++)
                arrays[i] = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            try
            {
                return new RecurrentModel(vocabulary, cell, embeddingSize, hiddenSize, arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5]);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"A saved recurrent model is inconsistent: {e.Message}", e);
            }
        }
    }
}

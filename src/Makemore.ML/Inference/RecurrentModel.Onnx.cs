using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>The recurrent model as an ONNX graph: ONNX's own RNN, GRU and LSTM operators, with the weights mapped into their layouts.</summary>
public sealed partial class RecurrentModel : IOnnxExportable
{
    /// <inheritdoc/>
    int? IOnnxExportable.OnnxBlockSize => null; // the state carries the whole prefix

    /// <inheritdoc/>
    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        int gates = _gates, rows = gates * _h;
        var (weight, recurrentWeight, bias) = OnnxGateBlocks();
        // x = wte[idx], time first as the operators read it                   (T, B, E)
        var x = graph.Transpose(graph.Gather(graph.Initializer(_embedding, _v, _e), idx), 1, 0, 2);
        // the learned start state, one copy per item                          (1, B, H)
        var stateShape = graph.Concat(0, graph.Int64s(1), graph.Shape(idx, 0, 1), graph.Int64s(_h));
        OnnxValue StartState(int part) => graph.Expand(graph.Initializer(_start.AsSpan(part * _h, _h), 1, 1, _h), stateShape);
        string opType = Cell switch
        {
            RecurrentCell.Rnn => "RNN",
            RecurrentCell.Gru => "GRU",
            RecurrentCell.Lstm => "LSTM",
            _ => throw new InvalidOperationException($"Unknown recurrent cell {Cell}."),
        };
        // The state after reading idx[.., t] predicts the symbol after it, as State.Step then State.LogProbability.
        var hidden = graph.Recurrence(opType, x, graph.Initializer(weight, 1, rows, _e), graph.Initializer(recurrentWeight, 1, rows, _h),
            graph.Initializer(bias, 1, 2 * rows), _h, StartState(0), Cell == RecurrentCell.Lstm ? StartState(1) : null); // (T, 1, B, H)
        var h = graph.Transpose(graph.Squeeze(hidden, 1), 1, 0, 2);                                                       // (B, T, H)
        // logits = lm_head(h)                                                 (B, T, V)
        var logits = graph.Add(graph.MatMul(h, graph.Initializer(MatrixVector.Transpose(_outputWeight, _v, _h), _h, _v)), graph.Initializer(_outputBias, _v));
        return graph.LogSoftmax(logits);
    }

    /// <summary>
    /// The cell's weights in the layouts of ONNX's operators: W (gates·H, E) for the input, R (gates·H, H) for the previous
    /// state, and the bias (2·gates·H: ours as the input bias, zeros as the recurrent one). ONNX orders an LSTM's gate blocks
    /// i, o, f, c (ours i, f, g, o); a GRU's z, r, h as ours, but its z keeps the old state (h = (1 − z)⊙h̄ + z⊙h) where ours
    /// takes the new one, so its z block is ours negated: σ(−a) = 1 − σ(a). The GRU's candidate reads r⊙h before R, ONNX's
    /// default (<c>linear_before_reset</c> = 0).
    /// </summary>
    private (float[] Weight, float[] RecurrentWeight, float[] Bias) OnnxGateBlocks()
    {
        int[] order = Cell == RecurrentCell.Lstm ? [0, 3, 1, 2] : [.. Enumerable.Range(0, _gates)];
        int fanIn = _e + _h;
        var weight = new float[_gates * _h * _e];
        var recurrentWeight = new float[_gates * _h * _h];
        var bias = new float[2 * _gates * _h];
        for (int block = 0; block < _gates; block++)
        {
            float sign = Cell == RecurrentCell.Gru && block == 0 ? -1f : 1f;
            for (int unit = 0; unit < _h; unit++)
            {
                int from = order[block] * _h + unit, to = block * _h + unit;
                for (int i = 0; i < _e; i++)
                    weight[to * _e + i] = sign * _cellWeight[from * fanIn + i];
                for (int i = 0; i < _h; i++)
                    recurrentWeight[to * _h + i] = sign * _cellWeight[from * fanIn + _e + i];
                bias[to] = sign * _cellBias[from];
            }
        }
        return (weight, recurrentWeight, bias);
    }
}

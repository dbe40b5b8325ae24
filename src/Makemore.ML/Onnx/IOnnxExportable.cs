namespace Makemore.ML.Onnx;

/// <summary>
/// A language model that can write itself as an ONNX graph (see <see cref="OnnxGraph"/> for how to add a kind, and
/// docs/interop.md for the graph contract every kind keeps).
/// </summary>
internal interface IOnnxExportable
{
    /// <summary>
    /// What the metadata property <c>block_size</c> says: the most previous symbols a prediction reads (a window model's
    /// block size; a model with positions: the positions it learned, past which its graph slides a window as the C# model
    /// does), or null when nothing bounds it (the recurrent models).
    /// </summary>
    int? OnnxBlockSize { get; }

    /// <summary>
    /// Adds the model's forward pass to <paramref name="graph"/>.
    /// </summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="idx">int64 [B, T]: the boundary id 0, then a name's ids (padded after its end with 0).</param>
    /// <returns>
    /// float32 [B, T, V]: at [b, t, :] the natural-log distribution of the symbol after idx[b, t], computed from
    /// idx[b, 0..t] alone (so padding after a name never changes its positions).
    /// </returns>
    OnnxValue BuildOnnx(OnnxGraph graph, OnnxValue idx);
}

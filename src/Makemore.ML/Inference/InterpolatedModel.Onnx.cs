using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>The interpolation's ONNX graph: every component's graph, mixed as ln Σᵢ wᵢ·exp(log_probsᵢ) in float64.</summary>
public sealed partial class InterpolatedModel : IOnnxExportable
{
    /// <summary>The largest of the components' (null when one is unbounded).</summary>
    int? IOnnxExportable.OnnxBlockSize =>
        _components.Select(c => OnnxExport.Exportable(c).OnnxBlockSize).Aggregate((int?)0, (a, b) => a is int x && b is int y ? Math.Max(x, y) : null);

    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        var terms = new OnnxValue[_components.Length];
        for (int i = 0; i < _components.Length; i++)
        {
            var component = OnnxExport.Exportable(_components[i]);
            OnnxValue logProbabilities;
            using (graph.Scope($"component{i + 1}"))
                logProbabilities = component.BuildOnnx(graph, idx);                                // (B, T, V)
            var p = graph.Exp(graph.Cast(logProbabilities, OnnxDataType.Double));                  // (B, T, V)
            terms[i] = graph.Mul(p, graph.Scalar(_weights[i]));                                    // (B, T, V)
        }
        var mixed = terms.Length == 1 ? terms[0] : graph.Sum(terms);                               // (B, T, V)
        return graph.Cast(graph.Log(mixed), OnnxDataType.Float);                                   // (B, T, V)
    }
}

using Makemore.ML;

namespace Microsoft.ML;

/// <summary>
/// The entry point to Makemore's trainers and evaluator: <c>mlContext.Makemore()</c>. In the <c>Microsoft.ML</c>
/// namespace, as ML.NET's own catalog extensions, so that <c>using Microsoft.ML;</c> finds it.
/// </summary>
public static class MakemoreMLContextExtensions
{
    /// <summary>Makemore's trainers and evaluator.</summary>
    public static MakemoreCatalog Makemore(this MLContext mlContext) => new(mlContext);
}

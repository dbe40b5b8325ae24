using System.Diagnostics;
using System.Reflection;

namespace Makemore.ML.Persistence;

/// <summary>
/// Makes ML.NET's <c>ConvertToOnnx</c> throw on a Makemore transformer instead of writing a graph without the language
/// model in it.
/// </summary>
/// <remarks>
/// Why the converter needs stopping: <c>ConvertToOnnx</c> transforms its input, then walks the output back through
/// ML.NET's internal <c>IDataTransform.Source</c> while each step is an ONNX-saveable transform. The first view that is
/// not an <c>IDataTransform</c> becomes the graph's input, and every output column found there passes through an
/// <c>Identity</c> node. A façade's direct route returns a plain <c>IDataView</c>, so the scores themselves became the
/// graph's inputs: a 1.5 KB file and no error. ML.NET's opt-in and opt-out (<c>ICanSaveOnnx</c>, <c>IDataTransform</c>)
/// are internal to ML.NET, so no public member of ours is asked during the walk.
/// HACK: a façade's <c>Transform</c> therefore looks for the converter's assembly on the call stack, and only once that
/// assembly is loaded in the process (so scoring elsewhere pays one flag read). No public mechanism exists: the converter
/// asks nothing of a view but those two internal interfaces. The exception sends the user to Makemore's own exporter,
/// <c>ml.Makemore().ExportToOnnx</c> (<c>makemore export --format onnx</c>), which writes the whole model.
/// </remarks>
internal static class OnnxConversionGuard
{
    /// <summary>What <c>ConvertToOnnx</c> throws on a pipeline holding a Makemore transformer.</summary>
    public const string Message =
        "Makemore models cannot be converted by ML.NET's ConvertToOnnx: it would write a graph without the language model. " +
        "Use Makemore's own exporter instead: mlContext.Makemore().ExportToOnnx(model, stream or path), or 'makemore export -m MODEL.zip --format onnx' " +
        "(input idx, output log_probs; see docs/interop.md).";

    private const string ConverterAssembly = "Microsoft.ML.OnnxConverter";

    private static volatile bool s_converterLoaded;

    static OnnxConversionGuard()
    {
        // Subscribed before the scan, so that a load between the two is not missed.
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => s_converterLoaded |= IsConverter(e.LoadedAssembly);
        s_converterLoaded |= AppDomain.CurrentDomain.GetAssemblies().Any(IsConverter);
    }

    /// <summary>Throws <see cref="NotSupportedException"/> when called from within ML.NET's ONNX converter.</summary>
    public static void ThrowIfConverting()
    {
        if (!s_converterLoaded)
            return;
        if (new StackTrace(1, fNeedFileInfo: false).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly is { } a && IsConverter(a)))
            throw new NotSupportedException(Message);
    }

    private static bool IsConverter(Assembly assembly) => assembly.GetName().Name == ConverterAssembly;
}

using Microsoft.ML;

namespace Makemore.Cli.Internal;

/// <summary>Loads saved model zips, verified (<c>ml.Makemore().Load</c>), with one-line errors.</summary>
internal static class Models
{
    /// <summary>
    /// The model at <paramref name="path"/>; a missing file is a usage error, a damaged or foreign one throws
    /// <see cref="Makemore.ML.ModelFileDamagedException"/> or <see cref="Makemore.ML.NotAMakemoreModelException"/> (exit 2).
    /// </summary>
    public static ITransformer Load(MLContext ml, string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new UsageException($"no such model: {path}");
        return ml.Makemore().Load(path, out _);
    }
}

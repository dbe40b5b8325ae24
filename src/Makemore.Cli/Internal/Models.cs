using Microsoft.ML;

namespace Makemore.Cli.Internal;

/// <summary>Loads saved model zips with one-line errors.</summary>
internal static class Models
{
    public static ITransformer Load(MLContext ml, string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"no such model: {path}");
        try
        {
            return ml.Model.Load(path, out _);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException or ArgumentException)
        {
            throw new UsageException($"{path} is not a Makemore model zip ({e.Message.Split('\n')[0]})");
        }
    }
}

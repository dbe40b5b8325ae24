using Makemore.ML.Text;

namespace Makemore.Cli.Internal;

/// <summary>The <c>--unknown</c> option's values (train, score): what a model does with a character outside its vocabulary.</summary>
internal static class UnknownCharacters
{
    /// <summary>Reads <c>error</c>, <c>skip</c> or <c>map</c>; refuses anything else, naming the choices.</summary>
    public static UnknownCharacterPolicy Parse(string text) => text switch
    {
        "error" => UnknownCharacterPolicy.Error,
        "skip" => UnknownCharacterPolicy.Skip,
        "map" => UnknownCharacterPolicy.MapToUnknown,
        _ => throw new UsageException($"unknown --unknown '{text}': use error, skip or map"),
    };
}

using Makemore.ML.Text;

namespace Makemore.Cli.Internal;

/// <summary>Checks a prefix typed on the command line against a model's vocabulary before sampling from it.</summary>
internal static class Prefixes
{
    /// <summary>Refuses a '.' or (under the default policy) a character the model has never seen, naming it and its position.</summary>
    /// <param name="prefix">The text the user typed.</param>
    /// <param name="vocabulary">The model's vocabulary.</param>
    /// <param name="what">How the message names the prefix, e.g. <c>--prefix</c>.</param>
    public static void Check(string prefix, CharacterVocabulary vocabulary, string what)
    {
        for (int i = 0; i < prefix.Length; i++)
        {
            char c = prefix[i];
            if (c == CharacterVocabulary.Boundary)
                throw new UsageException($"{what} '{prefix}' contains '{c}' at position {i + 1}: '{c}' marks the start and end of every name and cannot be part of one");
            if (!vocabulary.Contains(c) && vocabulary.Policy == UnknownCharacterPolicy.Error)
                throw new UsageException($"{what} '{prefix}' contains {CharacterVocabulary.Describe(prefix, i)} at position {i + 1}, which is not in the model's vocabulary ({vocabulary.Size} symbols: {vocabulary})");
        }
    }
}

using Makemore.ML.Text;

namespace Makemore.Cli.Internal;

/// <summary>Checks a prefix typed on the command line against a model's vocabulary before sampling from it.</summary>
internal static class Prefixes
{
    /// <summary>Refuses (under the default policy) a character the model has never seen, naming it and its position; '.' is a character like any other.</summary>
    /// <param name="prefix">The text the user typed.</param>
    /// <param name="vocabulary">The model's vocabulary.</param>
    /// <param name="what">How the message names the prefix, e.g. <c>--prefix</c>.</param>
    public static void Check(string prefix, CharacterVocabulary vocabulary, string what)
    {
        for (int i = 0; i < prefix.Length; i++)
        {
            char c = prefix[i];
            if (!vocabulary.Contains(c) && vocabulary.Policy == UnknownCharacterPolicy.Error)
                throw new UsageException($"{what} '{prefix}' contains {CharacterVocabulary.Describe(prefix, i)} at position {i + 1}, which is not in the model's vocabulary ({vocabulary.Size} symbols: {vocabulary})");
        }
    }
}

using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Text;

namespace Microsoft.ML;

/// <summary>Character featurization in ML.NET's text catalog: <c>mlContext.Transforms.Text.MapCharactersToIds(...)</c>.</summary>
public static class MakemoreTextCatalog
{
    /// <summary>Learns a character vocabulary (the boundary = 0, shown as <c>'.'</c>, then the sorted characters, <c>'.'</c> included) and maps text to a vector of character ids.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The ids column (variable-length <c>Int32</c> vector, no boundary tokens).</param>
    /// <param name="inputColumnName">The text column.</param>
    /// <param name="unknownCharacters">What happens to characters unseen when the vocabulary was learned.</param>
    public static CharacterIdsEstimator MapCharactersToIds(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName = CharacterIdsEstimator.Defaults.OutputColumnName, string inputColumnName = NameInput.ColumnName,
        UnknownCharacterPolicy unknownCharacters = UnknownCharacterPolicy.Error) =>
        new(Catalogs.Of(catalog), new CharacterIdsEstimator.Options { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, UnknownCharacters = unknownCharacters });

    /// <summary>Learns a character vocabulary and maps text to character ids, with all options.</summary>
    public static CharacterIdsEstimator MapCharactersToIds(this TransformsCatalog.TextTransforms catalog, CharacterIdsEstimator.Options options) =>
        new(Catalogs.Of(catalog), options);

    /// <summary>
    /// Maps the text written so far to the context of the next character: its last <paramref name="blockSize"/> characters,
    /// padded on the left with the boundary, as a fixed-length key vector whose <c>KeyValues</c> are the vocabulary.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The key vector column.</param>
    /// <param name="inputColumnName">The text column; null for <paramref name="outputColumnName"/>.</param>
    /// <param name="blockSize">Characters in the context, 1 to <see cref="CharacterEvents.MaxBlockSize"/>.</param>
    /// <param name="vocabulary">The keys' vocabulary; null to learn it at <c>Fit</c>.</param>
    public static CharacterContextEstimator MapCharacterContextToKeys(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName = CharacterEvents.Defaults.ContextColumnName, string? inputColumnName = null,
        int blockSize = CharacterEvents.Defaults.BlockSize, CharacterVocabulary? vocabulary = null) =>
        new(Catalogs.Of(catalog), new CharacterContextEstimator.Options { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, BlockSize = blockSize, Vocabulary = vocabulary });

    /// <summary>Maps the text written so far to its context keys, with all options.</summary>
    public static CharacterContextEstimator MapCharacterContextToKeys(this TransformsCatalog.TextTransforms catalog, CharacterContextEstimator.Options options) =>
        new(Catalogs.Of(catalog), options);

    /// <summary>
    /// Replaces each character key of a context key vector by its embedding and concatenates them (N·E floats, oldest
    /// first): the lecture's <c>C[X].view(-1, N·E)</c>, e.g. with a trained MLP's table (<see cref="CharacterEmbeddings.FromModel"/>).
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The float vector column.</param>
    /// <param name="inputColumnName">The key vector column (keys whose <c>KeyValues</c> are characters); null for <paramref name="outputColumnName"/>.</param>
    /// <param name="embeddings">The table.</param>
    public static CharacterEmbeddingEstimator ApplyCharacterEmbedding(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName, CharacterEmbeddings embeddings) =>
        new(Catalogs.Of(catalog), new CharacterEmbeddingEstimator.Options { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Embeddings = embeddings });

    /// <summary>Replaces character keys by their embeddings, with all options.</summary>
    public static CharacterEmbeddingEstimator ApplyCharacterEmbedding(this TransformsCatalog.TextTransforms catalog, CharacterEmbeddingEstimator.Options options) =>
        new(Catalogs.Of(catalog), options);
}

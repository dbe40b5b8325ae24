using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Persistence;

namespace Makemore.ML.Text;

/// <summary>Input of <see cref="CharacterIdsMapping"/>.</summary>
public sealed class CharacterIdsInput
{
    /// <summary>The text to encode.</summary>
    [ColumnName(CharacterIdsMapping.TextColumn)]
    public ReadOnlyMemory<char> Text { get; set; }

    /// <summary>The vocabulary's saved state (constant per model).</summary>
    [ColumnName(CharacterIdsMapping.VocabularyColumn)]
    public ReadOnlyMemory<char> Vocabulary { get; set; }
}

/// <summary>Output of <see cref="CharacterIdsMapping"/>.</summary>
public sealed class CharacterIdsOutput
{
    /// <summary>One id per character, no boundary tokens.</summary>
    [ColumnName(CharacterIdsMapping.IdsColumn)]
    public int[] Ids { get; set; } = [];
}

/// <summary>Maps text to character ids with the vocabulary held in the model. Stateless; part of the saved-model contract.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CharacterIdsMapping : CustomMappingFactory<CharacterIdsInput, CharacterIdsOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.CharacterIds.v1";

    internal const string TextColumn = StateChain.Prefix + "Text";
    internal const string IdsColumn = StateChain.Prefix + "Ids";

    /// <summary>The chain's column of the vocabulary state (and, in views of models saved before the annotation, the visible column beside the ids).</summary>
    internal const string VocabularyColumn = StateChain.Prefix + "Vocabulary";

    /// <summary>The annotation of the ids column that carries the vocabulary's state to the trainers downstream.</summary>
    internal const string VocabularyAnnotation = "Makemore.Vocabulary";

    /// <inheritdoc/>
    public override Action<CharacterIdsInput, CharacterIdsOutput> GetMapping() => static (input, output) =>
        output.Ids = ModelState.GetVocabulary(input.Vocabulary).Encode(input.Text.Span);
}

using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Persistence;

namespace Makemore.ML.Inference;

/// <summary>The names of the columns a Makemore model adds when scoring.</summary>
public static class ScoreColumns
{
    /// <summary>Sum of ln p over every predicted character, the end token included (<c>Double</c>).</summary>
    public const string LogLikelihood = "LogLikelihood";
    /// <summary>Negative log-likelihood per predicted character, in nats (<c>Double</c>).</summary>
    public const string NllPerCharacter = "NllPerCharacter";
    /// <summary><c>exp(NllPerCharacter)</c> (<c>Double</c>).</summary>
    public const string Perplexity = "Perplexity";
    /// <summary>How many characters were predicted: length + 1 for the end token (<c>Int32</c>).</summary>
    public const string PredictedCharacterCount = "PredictedCharacterCount";
    /// <summary>Distribution of the character after the text taken as a prefix, indexed by vocabulary id (vector of <c>Single</c>).</summary>
    public const string NextCharacterProbabilities = "NextCharacterProbabilities";
}

/// <summary>Input of <see cref="LanguageModelScoreMapping"/>.</summary>
public sealed class LanguageModelScoreInput
{
    /// <summary>Character ids of the item, no boundary tokens.</summary>
    [ColumnName(LanguageModelScoreMapping.IdsColumn)]
    public int[] Ids { get; set; } = [];

    /// <summary>The model's saved state (constant per model).</summary>
    [ColumnName(LanguageModelScoreMapping.ModelColumn)]
    public ReadOnlyMemory<char> Model { get; set; }
}

/// <summary>Scores items with the model held in the saved state, whatever its architecture. Stateless; part of the saved-model contract.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class LanguageModelScoreMapping : CustomMappingFactory<LanguageModelScoreInput, NameScore>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.LanguageModelScore.v1";

    internal const string IdsColumn = StateChain.Prefix + "ScoreIds";
    internal const string ModelColumn = StateChain.Prefix + "Model";

    /// <inheritdoc/>
    public override Action<LanguageModelScoreInput, NameScore> GetMapping() => static (input, output) =>
        NameScorer.Fill(ModelState.GetModel(input.Model), input.Ids, output);
}

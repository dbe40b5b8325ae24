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

/// <summary>Output of <see cref="LanguageModelScoreMapping"/>; see <see cref="ScoreColumns"/>.</summary>
public sealed class LanguageModelScoreOutput
{
    /// <summary>See <see cref="ScoreColumns.LogLikelihood"/>.</summary>
    public double LogLikelihood { get; set; }
    /// <summary>See <see cref="ScoreColumns.NllPerCharacter"/>.</summary>
    public double NllPerCharacter { get; set; }
    /// <summary>See <see cref="ScoreColumns.Perplexity"/>.</summary>
    public double Perplexity { get; set; }
    /// <summary>See <see cref="ScoreColumns.PredictedCharacterCount"/>.</summary>
    public int PredictedCharacterCount { get; set; }
    /// <summary>See <see cref="ScoreColumns.NextCharacterProbabilities"/>.</summary>
    public float[] NextCharacterProbabilities { get; set; } = [];
}

/// <summary>Scores items with the model held in the saved state, whatever its architecture. Stateless; part of the saved-model contract.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class LanguageModelScoreMapping : CustomMappingFactory<LanguageModelScoreInput, LanguageModelScoreOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.LanguageModelScore.v1";

    internal const string IdsColumn = StateChain.Prefix + "ScoreIds";
    internal const string ModelColumn = StateChain.Prefix + "Model";

    /// <inheritdoc/>
    public override Action<LanguageModelScoreInput, LanguageModelScoreOutput> GetMapping() => static (input, output) =>
    {
        ILanguageModel model = ModelState.GetModel(input.Model);
        var score = SequenceScorer.Score(model, input.Ids);
        output.LogLikelihood = score.LogLikelihood;
        output.PredictedCharacterCount = score.PredictedCount;
        output.NllPerCharacter = score.NllPerCharacter;
        output.Perplexity = score.Perplexity;
        Span<double> next = model.Vocabulary.Size <= 256 ? stackalloc double[model.Vocabulary.Size] : new double[model.Vocabulary.Size];
        SequenceScorer.NextProbabilities(model, input.Ids, next);
        var probabilities = output.NextCharacterProbabilities.Length == next.Length ? output.NextCharacterProbabilities : new float[next.Length];
        for (int i = 0; i < next.Length; i++)
            probabilities[i] = (float)next[i];
        output.NextCharacterProbabilities = probabilities;
    };
}

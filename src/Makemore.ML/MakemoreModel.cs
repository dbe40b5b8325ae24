using Microsoft.ML;
using Microsoft.ML.Transforms;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML;

/// <summary>
/// Recovers Makemore objects from a model, fresh from <c>Fit</c> or loaded with <c>mlContext.Model.Load</c>
/// (where the chain comes back as built-in ML.NET transformers).
/// </summary>
public static class MakemoreModel
{
    /// <summary>The last language model in a transformer (chain).</summary>
    /// <exception cref="NotAMakemoreModelException">The transformer holds no Makemore language model (an <see cref="ArgumentException"/>).</exception>
    /// <exception cref="ModelFileDamagedException">The model's saved state is damaged.</exception>
    public static ILanguageModel GetLanguageModel(ITransformer transformer) =>
        FindLanguageModel(transformer)
        ?? throw new NotAMakemoreModelException("This model holds no Makemore language model (no n-gram or neural model was trained into it).");

    /// <summary>The metadata saved with the last language model in a transformer (chain); empty when there is none.</summary>
    public static IReadOnlyDictionary<string, string> GetMetadata(ITransformer transformer) =>
        Find(transformer, t => t is LanguageModelTransformer m ? m.Metadata : null, LanguageModelScoreMapping.ModelColumn,
            state => ModelState.GetMetadata(state.ToString())) ?? new Dictionary<string, string>();

    /// <summary>The last character vocabulary in a transformer (chain).</summary>
    /// <exception cref="NotAMakemoreModelException">The transformer holds no vocabulary (an <see cref="ArgumentException"/>).</exception>
    /// <exception cref="ModelFileDamagedException">The vocabulary's saved state is damaged.</exception>
    public static CharacterVocabulary GetVocabulary(ITransformer transformer) =>
        FindVocabulary(transformer)
        ?? throw new NotAMakemoreModelException("This model holds no Makemore character vocabulary.");

    /// <summary>The last language model in a transformer (chain), or null.</summary>
    internal static ILanguageModel? FindLanguageModel(ITransformer transformer) =>
        Find(transformer, t => t is LanguageModelTransformer m ? m.Model : null, LanguageModelScoreMapping.ModelColumn, ModelState.GetModel);

    /// <summary>The last character vocabulary in a transformer (chain), or null.</summary>
    internal static CharacterVocabulary? FindVocabulary(ITransformer transformer) =>
        Find(transformer, t => t is CharacterIdsTransformer v ? v.Vocabulary : null, CharacterIdsMapping.VocabularyColumn, ModelState.GetVocabulary);

    private static T? Find<T>(ITransformer transformer, Func<ITransformer, T?> direct, string stateColumn, Func<ReadOnlyMemory<char>, T> parse)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(transformer);
        if (direct(transformer) is { } found)
            return found;
        if (transformer is LanguageModelTransformer)
            return null; // its chain holds its model's state alone, which `direct` has answered for: building the chain would only re-encode it
        if (transformer is FacadeTransformer facade)
            return Find(facade.Inner, direct, stateColumn, parse);
        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var part in chain.Reverse())
                if (Find(part, direct, stateColumn, parse) is { } inner)
                    return inner;
            return null;
        }
        if (transformer is HashingTransformer && StateChain.ReadHashedState(transformer, stateColumn) is { } hashed)
            return parse(hashed.AsMemory());
        if (StateChain.IsUnreleasedValueMapping(transformer, stateColumn))
            throw new ModelFileDamagedException(ModelState.UnreleasedFormat("its state is in a ValueMapping"));
        return null;
    }
}

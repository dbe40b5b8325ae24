using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Persistence;

/// <summary>
/// Gives a loaded model its façades back: <c>Model.Load</c> returns each façade's saved chain of built-in transformers,
/// which computes through ~8 nested transforms per row. Each part of the loaded chain that holds a vocabulary or a language
/// model, and whose direct route gives exactly the part's output schema, is wrapped again in its façade (the loaded part
/// kept for saving); anything else is left as loaded.
/// </summary>
internal static class LoadedFacades
{
    /// <summary>The loaded model with its Makemore parts served by their direct routes, or the model itself when none applies.</summary>
    public static ITransformer Restore(ITransformer loaded, DataViewSchema inputSchema)
    {
        if (loaded is not TransformerChain<ITransformer> chain)
            return loaded;
        var parts = new List<ITransformer>();
        var schema = inputSchema;
        bool changed = false;
        foreach (var part in chain)
        {
            var restored = RestoreOne(part, schema) ?? part;
            changed |= !ReferenceEquals(restored, part);
            parts.Add(restored);
            schema = part.GetOutputSchema(schema);
        }
        return changed ? new TransformerChain<ITransformer>([.. parts]) : loaded;
    }

    private static FacadeTransformer? RestoreOne(ITransformer part, DataViewSchema schema)
    {
        if (part is FacadeTransformer or not TransformerChain<ITransformer>)
            return null;
        var output = part.GetOutputSchema(schema);
        if (MakemoreModel.FindLanguageModel(part) is { } model
            && output.GetColumnOrNull(ScoreColumns.LogLikelihood) is { } likelihood
            && OnlyInput(part, schema, likelihood) is { } ids)
        {
            var direct = new ScoreDirectMapping(model, ids);
            return SameSchema(direct, schema, output) ? new LanguageModelTransformer<ILanguageModel>(direct, () => part, model, Training.TrainingResult.WithoutSteps(TimeSpan.Zero)) : null;
        }
        if (MakemoreModel.FindVocabulary(part) is { } vocabulary
            && output.Where(c => !c.IsHidden && c.Type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Int32)
                .Select(c => (Ids: c.Name, Text: OnlyInput(part, schema, c)))
                .LastOrDefault(p => p.Text is not null && schema[p.Text].Type is TextDataViewType) is { Ids: { } idsName, Text: { } text })
        {
            var direct = new CharacterIdsDirectMapping(vocabulary, idsName, text);
            return SameSchema(direct, schema, output) ? new CharacterIdsTransformer(direct, () => part, vocabulary) : null;
        }
        return null;
    }

    // The name of the one visible input column an output column is computed from, or null.
    private static string? OnlyInput(ITransformer part, DataViewSchema schema, DataViewSchema.Column column)
    {
        var inputs = part.GetRowToRowMapper(schema).GetDependencies([column]).ToList();
        return inputs is [var only] && schema.GetColumnOrNull(only.Name)?.Index == only.Index ? only.Name : null;
    }

    private static bool SameSchema(DirectMapping direct, DataViewSchema input, DataViewSchema expected) =>
        direct.MapperFor(input) is { OutputSchema: var actual } && actual.Count == expected.Count
        && actual.Zip(expected).All(p => p.First.Name == p.Second.Name && p.First.Type.Equals(p.Second.Type) && p.First.IsHidden == p.Second.IsHidden);
}

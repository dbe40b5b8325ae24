using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Persistence;

/// <summary>
/// Gives a loaded model its façades back: <c>Model.Load</c> returns each façade's saved chain of built-in transformers,
/// which computes through ~8 nested transforms per row. Each part of the loaded chain laid out as a façade's chain
/// (<c>CopyColumns</c> in, the state, our <c>CustomMapping</c>, <c>CopyColumns</c> out, <c>DropColumns</c>) that holds a
/// vocabulary or a language model is wrapped again in its façade (the loaded part kept for saving); anything else is left
/// as loaded.
/// </summary>
/// <remarks>
/// Binding a loaded chain to a schema (<c>GetOutputSchema</c>) makes ML.NET emit its <c>CustomMapping</c>s' row code, about
/// as long as the load itself; so the column names are read from the copy transforms alone, each bound to a schema of just
/// the columns it copies, and a restored part's output schema comes from its direct route (the same, as the tests pin).
/// </remarks>
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
            var restored = RestoreOne(part, schema);
            changed |= restored is not null;
            parts.Add(restored ?? part);
            schema = (restored ?? part).GetOutputSchema(schema);
        }
        return changed ? new TransformerChain<ITransformer>([.. parts]) : loaded;
    }

    private static FacadeTransformer? RestoreOne(ITransformer part, DataViewSchema schema)
    {
        if (part is not TransformerChain<ITransformer> chain || Leaves(chain).ToArray() is not [ColumnCopyingTransformer copyIn, .., ColumnSelectingTransformer] elements)
            return null;
        if (CopiedFrom(copyIn, schema, LanguageModelScoreMapping.IdsColumn) is { } ids
            && schema[ids].Type is VectorDataViewType { ItemType: var item, Size: 0 } && item == NumberDataViewType.Int32
            && MakemoreModel.FindLanguageModel(part) is { } model)
            return new LanguageModelTransformer<ILanguageModel>(new ScoreDirectMapping(model, ids), () => part, model, Training.TrainingResult.WithoutSteps(TimeSpan.Zero),
                MakemoreModel.GetMetadata(part)); // read with the model just parsed: no second decode
        if (CopiedFrom(copyIn, schema, CharacterIdsMapping.TextColumn) is { } text
            && schema[text].Type is TextDataViewType
            && elements[^2] is ColumnCopyingTransformer copyOut
            && CopiedTo(copyOut, CharacterIdsMapping.IdsColumn, new VectorDataViewType(NumberDataViewType.Int32)) is { } idsOut
            && MakemoreModel.FindVocabulary(part) is { } vocabulary)
            return new CharacterIdsTransformer(new CharacterIdsDirectMapping(vocabulary, idsOut, text), () => part, vocabulary);
        return null;
    }

    // The transformers of a chain in order, nested chains opened (a fitted EstimatorChain nests one chain per Append).
    private static IEnumerable<ITransformer> Leaves(TransformerChain<ITransformer> chain) =>
        chain.SelectMany(t => t is TransformerChain<ITransformer> inner ? Leaves(inner) : [t]);

    // The visible input column a copy transform copies into `internalColumn`, or null when it makes no such column.
    private static string? CopiedFrom(ColumnCopyingTransformer copy, DataViewSchema schema, string internalColumn)
    {
        try
        {
            var mapper = ((ITransformer)copy).GetRowToRowMapper(schema);
            if (mapper.OutputSchema.GetColumnOrNull(internalColumn) is not { } made)
                return null;
            return mapper.GetDependencies([made]).ToList() is [var source] && schema.GetColumnOrNull(source.Name)?.Index == source.Index ? source.Name : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null; // the copy's source is not in this schema
        }
    }

    // The column a copy transform copies `internalColumn` into, bound to a schema of that column alone; null if it does not.
    private static string? CopiedTo(ColumnCopyingTransformer copy, string internalColumn, DataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(internalColumn, type);
        var alone = builder.ToSchema();
        try
        {
            var output = copy.GetOutputSchema(alone);
            return output.Count == 2 && output[1].Name != internalColumn ? output[1].Name : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null; // it copies another column
        }
    }
}

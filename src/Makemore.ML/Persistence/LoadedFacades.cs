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
    /// <summary>A language model parsed from its saved entry (<see cref="StateEntry"/>) before ML.NET loaded the chain without it.</summary>
    /// <param name="EntryName">The zip entry it was read from.</param>
    /// <param name="Model">The model.</param>
    /// <param name="Metadata">The metadata saved with it.</param>
    public sealed record ParsedState(string EntryName, ILanguageModel Model, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>The restored model, and whether every parsed state given went to its façade.</summary>
    public readonly record struct Restored(ITransformer Model, bool Complete);

    /// <summary>
    /// Replaces each Makemore inner chain of a loaded model (a chain whose elements are the inner chains ML.NET saved for
    /// our façades) by the façade it was saved from, holding the parsed model or vocabulary.
    /// </summary>
    public static Restored Restore(ITransformer loaded, DataViewSchema inputSchema) => Restore(loaded, inputSchema, new Dictionary<int, ParsedState>(), catalogs: null);

    /// <summary>
    /// As <see cref="Restore(ITransformer, DataViewSchema)"/>, for a chain loaded without the states of
    /// <paramref name="parsed"/> (by position in the chain): their façades take the parsed models, and build their inner
    /// chain again from them (in <paramref name="catalogs"/>) when it is needed, to save or to go through ML.NET.
    /// </summary>
    public static Restored Restore(ITransformer loaded, DataViewSchema inputSchema, IReadOnlyDictionary<int, ParsedState> parsed, Catalogs? catalogs)
    {
        if (loaded is not TransformerChain<ITransformer> chain)
            return new Restored(loaded, parsed.Count == 0);
        var parts = new List<ITransformer>();
        var schema = inputSchema;
        bool changed = false;
        int used = 0, index = 0;
        foreach (var part in chain)
        {
            var state = parsed.GetValueOrDefault(index++);
            var restored = RestoreOne(part, schema, state, catalogs);
            changed |= restored is not null;
            if (state is not null && restored is LanguageModelTransformer)
                used++;
            parts.Add(restored ?? part);
            if (state is not null && restored is null)
                return new Restored(loaded, Complete: false); // its chain has no state: the caller loads the whole file
            schema = (restored ?? part).GetOutputSchema(schema);
        }
        return new Restored(changed ? new TransformerChain<ITransformer>([.. parts]) : loaded, used == parsed.Count);
    }

    private static FacadeTransformer? RestoreOne(ITransformer part, DataViewSchema schema, ParsedState? parsed, Catalogs? catalogs)
    {
        if (part is not TransformerChain<ITransformer> chain || Leaves(chain).ToArray() is not [ColumnCopyingTransformer copyIn, .., ColumnSelectingTransformer] elements)
            return null;
        string? ids = CopiedFrom(copyIn, schema, LanguageModelScoreMapping.IdsColumn) is { } from
            && schema[from].Type is VectorDataViewType { ItemType: var item, Size: 0 } && item == NumberDataViewType.Int32 ? from : null;
        if (parsed is not null)
            return ids is not null && catalogs is not null ? LanguageModelTransformer.Restored(catalogs, parsed.Model, parsed.Metadata, ids, schema) : null;
        if (ids is not null && MakemoreModel.FindLanguageModel(part) is { } model)
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

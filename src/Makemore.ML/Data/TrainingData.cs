using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Data;

/// <summary>What every Makemore trainer reads: the id sequences and the vocabulary that travels beside them.</summary>
internal static class TrainingData
{
    /// <summary>
    /// What a trainer's <c>Fit(input[, dev])</c> does: read the training ids (and the dev ids, if any), train on
    /// them, and wrap the model with what its training did in the user's catalogs.
    /// </summary>
    public static LanguageModelTransformer<TModel> Fit<TModel>(Catalogs catalogs, string idsColumnName, IDataView input, IDataView? dev,
        Func<CharacterVocabulary, IReadOnlyList<int[]>, IReadOnlyList<int[]>?, Training.TrainedModel<TModel>> train)
        where TModel : ILanguageModel
    {
        var (vocabulary, sequences) = Read(input, idsColumnName);
        var devSequences = dev is null ? null : Read(dev, idsColumnName).Sequences;
        var (model, training) = train(vocabulary, sequences, devSequences);
        return LanguageModelTransformer.Create(catalogs, model, training, idsColumnName, input, trainingSequences: sequences);
    }

    /// <summary>The vocabulary and one id array per row of an ids column written by <c>MapCharactersToIds</c>.</summary>
    public static (CharacterVocabulary Vocabulary, List<int[]> Sequences) Read(IDataView input, string idsColumnName)
    {
        ArgumentNullException.ThrowIfNull(input);
        var ids = input.Schema.GetColumnOrNull(idsColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(idsColumnName), $"Ids column '{idsColumnName}' not found; add mlContext.Transforms.Text.MapCharactersToIds(\"{idsColumnName}\", ...) before the trainer.");
        CheckIdsType(idsColumnName, ids.Type);
        var vocabularyColumn = VocabularyColumn(input.Schema, idsColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"The data has no vocabulary beside '{idsColumnName}': the ids must come from mlContext.Transforms.Text.MapCharactersToIds.");
        var sequences = new List<int[]>();
        CharacterVocabulary? vocabulary = null;
        using var cursor = SequentialCursor.Open(input, [ids, vocabularyColumn]);
        var idsGetter = cursor.GetGetter<VBuffer<int>>(ids);
        var vocabularyGetter = cursor.GetGetter<ReadOnlyMemory<char>>(vocabularyColumn);
        VBuffer<int> buffer = default;
        ReadOnlyMemory<char> state = default;
        while (cursor.MoveNext())
        {
            if (vocabulary is null)
            {
                vocabularyGetter(ref state);
                vocabulary = ModelState.GetVocabulary(state);
            }
            idsGetter(ref buffer);
            sequences.Add(buffer.IsDense ? buffer.GetValues().ToArray() : buffer.DenseValues().ToArray());
        }
        if (vocabulary is null)
            throw new ArgumentException("The training data has no rows.", nameof(input));
        return (vocabulary, sequences);
    }

    // The vocabulary MapCharactersToIds hides behind its ids (a text column of the same name), or the visible column that
    // views made by models saved before carry.
    private static DataViewSchema.Column? VocabularyColumn(DataViewSchema schema, string idsColumnName) =>
        schema.LastOrDefault(c => c.IsHidden && c.Name == idsColumnName && c.Type is TextDataViewType)
            is { Name: not null } hidden && hidden.Index < schema[idsColumnName].Index
            ? hidden
            : schema.GetColumnOrNull(CharacterIdsMapping.VocabularyColumn);

    /// <summary>The output schema of a Makemore trainer: the input plus the score columns; checks the ids column.</summary>
    public static SchemaShape OutputSchema(Catalogs catalogs, SchemaShape inputSchema, string idsColumnName)
    {
        var found = inputSchema.Where(c => c.Name == idsColumnName).Select(c => (SchemaShape.Column?)c).LastOrDefault();
        if (found is not { } column)
            throw new ArgumentOutOfRangeException(nameof(idsColumnName), $"Ids column '{idsColumnName}' not found.");
        if (column.Kind != SchemaShape.Column.VectorKind.VariableVector || column.ItemType != NumberDataViewType.Int32)
            throw new ArgumentOutOfRangeException(nameof(idsColumnName), $"Ids column '{idsColumnName}' must be a variable-length vector of Int32, but is {column.Kind} of {column.ItemType}.");
        return DirectMapping.OutputShape(inputSchema, ScoreDirectMapping.Columns,
            () => LanguageModelTransformer.Chain(catalogs, ModelState.EncodeVocabulary(CharacterVocabulary.FromCharacters("")), idsColumnName).GetOutputSchema(inputSchema));
    }

    private static void CheckIdsType(string name, DataViewType type)
    {
        if (type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Int32)
            throw new ArgumentOutOfRangeException(nameof(name), $"Ids column '{name}' must be a vector of Int32, but is {type}.");
    }
}

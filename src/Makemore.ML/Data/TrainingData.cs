using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Data;

/// <summary>What every Makemore trainer reads: the id sequences and the vocabulary that travels beside them.</summary>
internal static class TrainingData
{
    /// <summary>
    /// What a trainer's <c>Fit(input[, dev])</c> does: read the training ids (and the dev ids, if any), train on
    /// them, and wrap the model with what its training did in the user's catalogs; what it trains, on what, and the result
    /// go to the context's log (<c>mlContext.Log</c>), as ML.NET's trainers report theirs.
    /// </summary>
    /// <param name="catalogs">The user's catalogs.</param>
    /// <param name="trainer">What is trained, for the log (the kind and its main settings).</param>
    /// <param name="idsColumnName">The ids column.</param>
    /// <param name="input">The training data.</param>
    /// <param name="dev">The dev data, or null.</param>
    /// <param name="train">Trains on the vocabulary, the training and the dev ids; may report more on the channel.</param>
    public static LanguageModelTransformer<TModel> Fit<TModel>(Catalogs catalogs, string trainer, string idsColumnName, IDataView input, IDataView? dev,
        Func<CharacterVocabulary, IReadOnlyList<int[]>, IReadOnlyList<int[]>?, IChannel, Training.TrainedModel<TModel>> train)
        where TModel : ILanguageModel
    {
        using var channel = Catalogs.ChannelFor(Catalogs.EnvironmentOf(catalogs.Transforms), "Makemore.Train", trainer);
        var (vocabulary, sequences) = Read(input, idsColumnName);
        var devSequences = dev is null ? null : Read(dev, idsColumnName).Sequences;
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"Training {trainer} on {sequences.Count:N0} names ({sequences.TotalLength:N0} characters, vocabulary of {vocabulary.Size}){(devSequences is null ? "" : $", evaluating on {devSequences.Count:N0} dev names")}."));
        var (model, training) = train(vocabulary, sequences, devSequences, channel);
        channel.Info(MessageSensitivity.None, Summary(training));
        return LanguageModelTransformer.Create(catalogs, model, training, idsColumnName, input, trainingSequences: sequences);
    }

    private static string Summary(Training.TrainingResult training) => string.Create(CultureInfo.InvariantCulture,
        $"Trained in {training.Duration.TotalSeconds:0.###} s{(training.History.Count == 0 ? "" : $", steps {training.FirstStep}–{training.LastStep}")}" +
        $"{(training.BestStep is int best ? $"; best dev loss {training.BestDevLoss:0.0000} at step {best}{(training.DevSample is { } sample ? $" on a sample of {sample}" : "")}{(training.RestoredBest ? " (restored)" : "")}" : "")}" +
        $"{(training.StoppedEarly ? "; stopped early" : "")}{(training.TimeLimitReached ? "; time limit reached" : "")}{(training.Cancelled ? "; cancelled" : "")}.");

    /// <summary>The vocabulary and the ids of every row of an ids column written by <c>MapCharactersToIds</c>, in one buffer.</summary>
    public static (CharacterVocabulary Vocabulary, IdSequences Sequences) Read(IDataView input, string idsColumnName)
    {
        ArgumentNullException.ThrowIfNull(input);
        var ids = input.Schema.GetColumnOrNull(idsColumnName)
            ?? throw SchemaErrors.Missing("input", idsColumnName, $"Add mlContext.Transforms.Text.MapCharactersToIds(\"{idsColumnName}\", ...) before the trainer.");
        CheckIdsType(idsColumnName, ids.Type);
        CharacterVocabulary? vocabulary = AnnotatedVocabulary(ids);
        DataViewSchema.Column? vocabularyColumn = vocabulary is not null ? null : VocabularyColumn(input.Schema, idsColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"The data has no vocabulary with '{idsColumnName}': the ids must come from mlContext.Transforms.Text.MapCharactersToIds, fitted or loaded with mlContext.Makemore().Load (ml.Model.Load gives its plain chain, whose ids carry no vocabulary).");
        var sequences = new IdSequences.Builder();
        using var cursor = SequentialCursor.Open(input, vocabularyColumn is null ? [ids] : [ids, vocabularyColumn.Value]);
        var idsGetter = cursor.GetGetter<VBuffer<int>>(ids);
        var vocabularyGetter = vocabularyColumn is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(vocabularyColumn.Value);
        VBuffer<int> buffer = default;
        ReadOnlyMemory<char> state = default;
        bool any = false;
        while (cursor.MoveNext())
        {
            any = true;
            if (vocabulary is null)
            {
                vocabularyGetter!(ref state);
                vocabulary = ModelState.GetVocabulary(state);
            }
            idsGetter(ref buffer);
            sequences.Add(buffer.IsDense ? buffer.GetValues() : buffer.DenseValues().ToArray());
        }
        if (!any || vocabulary is null)
            throw new ArgumentException($"The ids column '{idsColumnName}' has no rows: nothing to train on.", nameof(input));
        return (vocabulary, sequences.ToSequences());
    }

    // The vocabulary MapCharactersToIds puts in its ids column's annotation, or null.
    private static CharacterVocabulary? AnnotatedVocabulary(DataViewSchema.Column ids)
    {
        if (ids.Annotations.Schema.GetColumnOrNull(CharacterIdsMapping.VocabularyAnnotation) is not { Type: TextDataViewType })
            return null;
        ReadOnlyMemory<char> state = default;
        ids.Annotations.GetValue(CharacterIdsMapping.VocabularyAnnotation, ref state);
        return ModelState.GetVocabulary(state);
    }

    // In views of models saved before the annotation: the vocabulary hidden behind the ids (a text column of the same
    // name), or the visible column of older ones.
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
            throw SchemaErrors.Missing("input", idsColumnName, $"Add mlContext.Transforms.Text.MapCharactersToIds(\"{idsColumnName}\", ...) before the trainer.");
        if (column.Kind != SchemaShape.Column.VectorKind.VariableVector || column.ItemType != NumberDataViewType.Int32)
            throw SchemaErrors.Mismatch("input", idsColumnName, "VarVector<Int32> (the ids of MapCharactersToIds)", SchemaErrors.Describe(column));
        return DirectMapping.OutputShape(inputSchema, ScoreDirectMapping.Columns,
            () => LanguageModelTransformer.Chain(catalogs, ModelState.EncodeVocabulary(CharacterVocabulary.FromCharacters("")), idsColumnName).GetOutputSchema(inputSchema));
    }

    private static void CheckIdsType(string name, DataViewType type)
    {
        if (type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Int32)
            throw SchemaErrors.Mismatch("input", name, "VarVector<Int32> (the ids of MapCharactersToIds)", type);
    }
}

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
            $"Training {trainer} on {sequences.Count:N0} names ({sequences.Sum(s => s.Length):N0} characters, vocabulary of {vocabulary.Size}){(devSequences is null ? "" : $", evaluating on {devSequences.Count:N0} dev names")}."));
        var (model, training) = train(vocabulary, sequences, devSequences, channel);
        channel.Info(MessageSensitivity.None, Summary(training));
        return LanguageModelTransformer.Create(catalogs, model, training, idsColumnName, input, trainingSequences: sequences);
    }

    private static string Summary(Training.TrainingResult training) => string.Create(CultureInfo.InvariantCulture,
        $"Trained in {training.Duration.TotalSeconds:0.###} s{(training.History.Count == 0 ? "" : $", steps {training.FirstStep}–{training.LastStep}")}" +
        $"{(training.BestStep is int best ? $"; best dev loss {training.BestDevLoss:0.0000} at step {best}{(training.RestoredBest ? " (restored)" : "")}" : "")}" +
        $"{(training.StoppedEarly ? "; stopped early" : "")}{(training.TimeLimitReached ? "; time limit reached" : "")}{(training.Cancelled ? "; cancelled" : "")}.");

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

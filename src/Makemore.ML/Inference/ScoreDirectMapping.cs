using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Persistence;

namespace Makemore.ML.Inference;

/// <summary>
/// The <see cref="ScoreColumns"/> a language model adds, computed straight from its ids column: the direct route of
/// <see cref="LanguageModelTransformer"/>, the same numbers as its saved <see cref="LanguageModelScoreMapping"/>
/// (both score through <see cref="SequenceScorer.ScoreWithNext"/> and round with <see cref="NameScorer.ToSingle"/>).
/// </summary>
internal sealed class ScoreDirectMapping(ILanguageModel model, string idsColumnName) : DirectMapping
{
    /// <summary>What the mapping adds: the <see cref="ScoreColumns"/>.</summary>
    public static readonly (string, DataViewType)[] Columns =
    [
        (ScoreColumns.LogLikelihood, NumberDataViewType.Double),
        (ScoreColumns.NllPerCharacter, NumberDataViewType.Double),
        (ScoreColumns.Perplexity, NumberDataViewType.Double),
        (ScoreColumns.PredictedCharacterCount, NumberDataViewType.Int32),
        (ScoreColumns.NextCharacterProbabilities, new VectorDataViewType(NumberDataViewType.Single)),
    ];

    public override IReadOnlyList<(string Name, DataViewType Type)> AddedColumns => Columns;

    public override IReadOnlyList<DataViewSchema.Column>? Inputs(DataViewSchema inputSchema) =>
        inputSchema.GetColumnOrNull(idsColumnName) is { Type: VectorDataViewType { ItemType: var item, Size: 0 } } ids && item == NumberDataViewType.Int32
            ? [ids]
            : null;

    public override void CheckInputs(DataViewSchema inputSchema)
    {
        var ids = inputSchema.GetColumnOrNull(idsColumnName) ?? throw Data.SchemaErrors.Missing("input", idsColumnName);
        if (Inputs(inputSchema) is null)
            throw Data.SchemaErrors.Mismatch("input", idsColumnName, "VarVector<Int32> (the ids of MapCharactersToIds)", ids.Type);
    }

    public override Delegate[] CreateGetters(DataViewRow input, IReadOnlyList<DataViewSchema.Column> inputs)
    {
        var ids = input.GetGetter<VBuffer<int>>(inputs[0]);
        VBuffer<int> buffer = default;
        var next = new double[model.Vocabulary.Size];
        SequenceScore score = default;
        long scored = -1;
        void Refresh()
        {
            if (scored == input.Position)
                return;
            ids(ref buffer);
            // NameScorer.Fill's numbers without its NameScore: the distribution goes to floats once, in the getter.
            score = SequenceScorer.ScoreWithNext(model, buffer.IsDense ? buffer.GetValues() : buffer.DenseValues().ToArray(), next);
            scored = input.Position;
        }
        return
        [
            (ValueGetter<double>)((ref double value) => { Refresh(); value = score.LogLikelihood; }),
            (ValueGetter<double>)((ref double value) => { Refresh(); value = score.NllPerCharacter; }),
            (ValueGetter<double>)((ref double value) => { Refresh(); value = score.Perplexity; }),
            (ValueGetter<int>)((ref int value) => { Refresh(); value = score.PredictedCount; }),
            (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                Refresh();
                var editor = VBufferEditor.Create(ref value, next.Length);
                NameScorer.ToSingle(next, editor.Values);
                value = editor.Commit();
            }),
        ];
    }
}

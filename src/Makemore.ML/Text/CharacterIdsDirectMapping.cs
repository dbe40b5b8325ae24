using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Persistence;

namespace Makemore.ML.Text;

/// <summary>
/// The column <c>MapCharactersToIds</c> adds, computed straight from its text column: the ids, with the vocabulary's state
/// in the ids column's <see cref="CharacterIdsMapping.VocabularyAnnotation"/> annotation for the trainers downstream (an
/// annotation, not a column: <c>Preview</c> and the output schema show no state). The direct route of
/// <see cref="CharacterIdsTransformer"/>, the same ids as its saved <see cref="CharacterIdsMapping"/>.
/// </summary>
internal sealed class CharacterIdsDirectMapping : DirectMapping
{
    private readonly CharacterVocabulary _vocabulary;
    private readonly string _inputColumnName;
    private readonly ReadOnlyMemory<char> _state;
    private readonly (string, DataViewType)[] _columns;
    private readonly DataViewSchema.Annotations _annotations;

    public CharacterIdsDirectMapping(CharacterVocabulary vocabulary, string outputColumnName, string inputColumnName)
    {
        _vocabulary = vocabulary;
        _inputColumnName = inputColumnName;
        _state = ModelState.Remember(ModelState.EncodeVocabulary(vocabulary), vocabulary).AsMemory();
        _columns = Columns(outputColumnName);
        var annotations = new DataViewSchema.Annotations.Builder();
        var state = _state;
        annotations.Add(CharacterIdsMapping.VocabularyAnnotation, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = state);
        _annotations = annotations.ToAnnotations();
    }

    /// <summary>What the mapping adds: the ids.</summary>
    public static (string, DataViewType)[] Columns(string outputColumnName) => [(outputColumnName, new VectorDataViewType(NumberDataViewType.Int32))];

    public override IReadOnlyList<(string Name, DataViewType Type)> AddedColumns => _columns;

    public override DataViewSchema.Annotations AnnotationsOf(int added) => _annotations;

    public override IReadOnlyList<DataViewSchema.Column>? Inputs(DataViewSchema inputSchema) =>
        inputSchema.GetColumnOrNull(_inputColumnName) is { Type: TextDataViewType } text ? [text] : null;

    public override void CheckInputs(DataViewSchema inputSchema)
    {
        var text = inputSchema.GetColumnOrNull(_inputColumnName) ?? throw Data.SchemaErrors.Missing("input", _inputColumnName);
        if (text.Type is not TextDataViewType)
            throw Data.SchemaErrors.Mismatch("input", _inputColumnName, "String", text.Type);
    }

    public override Delegate[] CreateGetters(DataViewRow input, IReadOnlyList<DataViewSchema.Column> inputs)
    {
        var texts = input.GetGetter<ReadOnlyMemory<char>>(inputs[0]);
        ReadOnlyMemory<char> text = default;
        int[] ids = [];
        int count = 0;
        long encoded = -1;
        return
        [
            (ValueGetter<VBuffer<int>>)((ref VBuffer<int> value) =>
            {
                if (encoded != input.Position)
                {
                    texts(ref text);
                    if (ids.Length < text.Length)
                        ids = new int[Math.Max(text.Length, 2 * ids.Length)];
                    count = _vocabulary.Encode(text.Span, ids);
                    encoded = input.Position;
                }
                var editor = VBufferEditor.Create(ref value, count);
                ids.AsSpan(0, count).CopyTo(editor.Values);
                value = editor.Commit();
            }),
        ];
    }
}

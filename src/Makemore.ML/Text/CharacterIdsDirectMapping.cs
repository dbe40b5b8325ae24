using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Persistence;

namespace Makemore.ML.Text;

/// <summary>
/// The columns <c>MapCharactersToIds</c> adds, computed straight from its text column: the vocabulary's state (hidden
/// behind the ids, for the trainers downstream) and the ids. The direct route of <see cref="CharacterIdsTransformer"/>,
/// the same values as its saved <see cref="CharacterIdsMapping"/>.
/// </summary>
internal sealed class CharacterIdsDirectMapping : DirectMapping
{
    private readonly CharacterVocabulary _vocabulary;
    private readonly string _inputColumnName;
    private readonly ReadOnlyMemory<char> _state;
    private readonly (string, DataViewType)[] _columns;

    public CharacterIdsDirectMapping(CharacterVocabulary vocabulary, string outputColumnName, string inputColumnName)
    {
        _vocabulary = vocabulary;
        _inputColumnName = inputColumnName;
        _state = ModelState.Remember(ModelState.EncodeVocabulary(vocabulary), vocabulary).AsMemory();
        _columns = Columns(outputColumnName);
    }

    /// <summary>What the mapping adds: the vocabulary's state (text, hidden by the next), then the ids.</summary>
    public static (string, DataViewType)[] Columns(string outputColumnName) =>
        [(outputColumnName, TextDataViewType.Instance), (outputColumnName, new VectorDataViewType(NumberDataViewType.Int32))];

    public override IReadOnlyList<(string Name, DataViewType Type)> AddedColumns => _columns;

    public override IReadOnlyList<DataViewSchema.Column>? Inputs(DataViewSchema inputSchema) =>
        inputSchema.GetColumnOrNull(_inputColumnName) is { Type: TextDataViewType } text ? [text] : null;

    public override Delegate[] CreateGetters(DataViewRow input, IReadOnlyList<DataViewSchema.Column> inputs)
    {
        var texts = input.GetGetter<ReadOnlyMemory<char>>(inputs[0]);
        ReadOnlyMemory<char> text = default;
        int[] ids = [];
        int count = 0;
        long encoded = -1;
        return
        [
            (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _state),
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

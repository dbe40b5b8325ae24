using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Data;
using Makemore.ML.Persistence;

namespace Makemore.ML.Text;

public sealed partial class CharacterContextEstimator
{
    /// <summary>Options of <see cref="CharacterContextEstimator"/> (<c>mlContext.Transforms.Text.MapCharacterContextToKeys</c>).</summary>
    public sealed class Options
    {
        /// <summary>The output column: a key vector of <see cref="BlockSize"/> characters. Default <c>Context</c>.</summary>
        public string OutputColumnName { get; set; } = CharacterEvents.Defaults.ContextColumnName;

        /// <summary>The input text column: the characters written so far. Default: the output column's name.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Previous characters in the context, 1 to <see cref="CharacterEvents.MaxBlockSize"/>. Default 1.</summary>
        public int BlockSize { get; set; } = CharacterEvents.Defaults.BlockSize;

        /// <summary>The keys' vocabulary; null to learn it from the input column at <c>Fit</c> (the boundary and its characters).</summary>
        public CharacterVocabulary? Vocabulary { get; set; }
    }
}

/// <summary>
/// Maps the text written so far (a prefix) to the context a window model conditions on: its last
/// <see cref="CharacterContextEstimator.Options.BlockSize"/> characters, padded on the left with the boundary, as a fixed-length key vector
/// whose <c>KeyValues</c> are the vocabulary (the same keys as the events view of <c>mlContext.Data.ExpandCharacterEvents</c>).
/// A character outside the vocabulary becomes the missing key (0), as ML.NET's <c>MapValueToKey</c> does.
/// </summary>
public sealed partial class CharacterContextEstimator : IEstimator<CharacterContextTransformer>
{
    private readonly CharacterContextEstimator.Options _options;
    private readonly string _inputColumnName;
    private readonly Catalogs _catalogs;

    /// <summary>Creates the estimator in <paramref name="mlContext"/>; prefer <c>mlContext.Transforms.Text.MapCharacterContextToKeys</c>.</summary>
    public CharacterContextEstimator(MLContext mlContext, CharacterContextEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal CharacterContextEstimator(Catalogs catalogs, CharacterContextEstimator.Options options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        CharacterEvents.CheckBlockSize(options.BlockSize);
        _inputColumnName = options.InputColumnName ?? options.OutputColumnName;
        _options = new CharacterContextEstimator.Options
        {
            OutputColumnName = options.OutputColumnName, InputColumnName = _inputColumnName, BlockSize = options.BlockSize, Vocabulary = options.Vocabulary,
        };
    }

    /// <inheritdoc/>
    public CharacterContextTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(_inputColumnName) ?? throw SchemaErrors.Missing("input", _inputColumnName);
        if (column.Type is not TextDataViewType)
            throw SchemaErrors.Mismatch("input", _inputColumnName, "String", column.Type);
        var vocabulary = _options.Vocabulary ?? CharacterVocabulary.Learn(MakemoreDataCatalog.ReadColumn(input, _inputColumnName));
        return new CharacterContextTransformer(Chain(vocabulary).Fit(input), vocabulary, _options.BlockSize, _inputColumnName);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = inputSchema.Where(c => c.Name == _inputColumnName).Select(c => (SchemaShape.Column?)c).LastOrDefault()
            ?? throw SchemaErrors.Missing("input", _inputColumnName);
        if (column.ItemType is not TextDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw SchemaErrors.Mismatch("input", _inputColumnName, "String", SchemaErrors.Describe(column));
        return Chain(_options.Vocabulary ?? CharacterVocabulary.FromCharacters("")).GetOutputSchema(inputSchema);
    }

    // CustomMapping(prefix → last 16 characters as scalar text columns) → Concatenate(the last N) → MapValueToKey(vocabulary) → drop.
    // The boundary's text pads the window and is key 1: "." (CharacterWindowMapping, as saved before '.' could be a
    // character), or "<.>" (DistinctBoundaryWindowMapping) when '.' is one of the vocabulary's characters.
    private IEstimator<ITransformer> Chain(CharacterVocabulary vocabulary)
    {
        var ml = _catalogs;
        int n = _options.BlockSize;
        string window = StateChain.Prefix + "Window";
        var keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, vocabulary.Size).Select(id => new Symbol { Value = vocabulary.TextOf(id) }));
        var split = vocabulary.BoundaryText == CharacterVocabulary.DistinctBoundaryText
            ? ml.Transforms.CustomMapping(new DistinctBoundaryWindowMapping().GetMapping(), DistinctBoundaryWindowMapping.ContractName)
            : ml.Transforms.CustomMapping(new CharacterWindowMapping().GetMapping(), CharacterWindowMapping.ContractName);
        return new EstimatorChain<ITransformer>()
            .Append(ml.Transforms.CopyColumns(CharacterWindowMapping.TextColumn, _inputColumnName))
            .Append(StateChain.TextCheck(ml, _inputColumnName))
            .Append(split)
            .Append(ml.Transforms.Concatenate(window, CharacterWindowMapping.Columns[^n..]))
            .Append(ml.Transforms.Conversion.MapValueToKey(_options.OutputColumnName, window, keyData: keys))
            .Append(ml.Transforms.DropColumns([CharacterWindowMapping.TextColumn, StateChain.TextCheckColumn, window, .. CharacterWindowMapping.Columns]));
    }

    private sealed class Symbol
    {
        public string Value { get; set; } = "";
    }
}

/// <summary>Maps a prefix to its context keys; a plain ML.NET chain of built-in transformers and one stateless mapping.</summary>
public sealed class CharacterContextTransformer : FacadeTransformer
{
    internal CharacterContextTransformer(ITransformer inner, CharacterVocabulary vocabulary, int blockSize, string inputColumnName)
        : base(inner, schema => CheckText(schema, inputColumnName))
    {
        Vocabulary = vocabulary;
        BlockSize = blockSize;
    }

    /// <summary>The vocabulary of the keys (key k = id k − 1).</summary>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>Characters in the context.</summary>
    public int BlockSize { get; }

    private static void CheckText(DataViewSchema schema, string column)
    {
        var text = schema.GetColumnOrNull(column) ?? throw SchemaErrors.Missing("input", column);
        if (text.Type is not TextDataViewType)
            throw SchemaErrors.Mismatch("input", column, "String", text.Type);
    }
}

/// <summary>Input of <see cref="CharacterWindowMapping"/>.</summary>
public sealed class CharacterWindowInput
{
    /// <summary>The text written so far.</summary>
    [ColumnName(CharacterWindowMapping.TextColumn)]
    public ReadOnlyMemory<char> Text { get; set; }
}

/// <summary>Output of <see cref="CharacterWindowMapping"/>: the last 16 characters, one column each, oldest first, the boundary's text before the start.</summary>
public sealed class CharacterWindowOutput
{
#pragma warning disable CS1591 // sixteen positions of one window, documented on the class
    [ColumnName(StateChain.Prefix + "Window00")] public ReadOnlyMemory<char> C00 { get; set; }
    [ColumnName(StateChain.Prefix + "Window01")] public ReadOnlyMemory<char> C01 { get; set; }
    [ColumnName(StateChain.Prefix + "Window02")] public ReadOnlyMemory<char> C02 { get; set; }
    [ColumnName(StateChain.Prefix + "Window03")] public ReadOnlyMemory<char> C03 { get; set; }
    [ColumnName(StateChain.Prefix + "Window04")] public ReadOnlyMemory<char> C04 { get; set; }
    [ColumnName(StateChain.Prefix + "Window05")] public ReadOnlyMemory<char> C05 { get; set; }
    [ColumnName(StateChain.Prefix + "Window06")] public ReadOnlyMemory<char> C06 { get; set; }
    [ColumnName(StateChain.Prefix + "Window07")] public ReadOnlyMemory<char> C07 { get; set; }
    [ColumnName(StateChain.Prefix + "Window08")] public ReadOnlyMemory<char> C08 { get; set; }
    [ColumnName(StateChain.Prefix + "Window09")] public ReadOnlyMemory<char> C09 { get; set; }
    [ColumnName(StateChain.Prefix + "Window10")] public ReadOnlyMemory<char> C10 { get; set; }
    [ColumnName(StateChain.Prefix + "Window11")] public ReadOnlyMemory<char> C11 { get; set; }
    [ColumnName(StateChain.Prefix + "Window12")] public ReadOnlyMemory<char> C12 { get; set; }
    [ColumnName(StateChain.Prefix + "Window13")] public ReadOnlyMemory<char> C13 { get; set; }
    [ColumnName(StateChain.Prefix + "Window14")] public ReadOnlyMemory<char> C14 { get; set; }
    [ColumnName(StateChain.Prefix + "Window15")] public ReadOnlyMemory<char> C15 { get; set; }
#pragma warning restore CS1591

    internal void Set(int position, ReadOnlyMemory<char> value)
    {
        switch (position)
        {
            case 0: C00 = value; break;
            case 1: C01 = value; break;
            case 2: C02 = value; break;
            case 3: C03 = value; break;
            case 4: C04 = value; break;
            case 5: C05 = value; break;
            case 6: C06 = value; break;
            case 7: C07 = value; break;
            case 8: C08 = value; break;
            case 9: C09 = value; break;
            case 10: C10 = value; break;
            case 11: C11 = value; break;
            case 12: C12 = value; break;
            case 13: C13 = value; break;
            case 14: C14 = value; break;
            case 15: C15 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(position), position, "A window holds 16 positions.");
        }
    }
}

/// <summary>
/// Splits a prefix into its last 16 characters, one scalar text column each (slices of the input, no copy), <c>"."</c>
/// (the boundary's text in a vocabulary without a <c>'.'</c> character) before the start. Scalar columns because a fixed-length vector's size cannot depend on the model in a custom mapping;
/// the chain concatenates the last N. Stateless; part of the saved-model contract.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CharacterWindowMapping : CustomMappingFactory<CharacterWindowInput, CharacterWindowOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.CharacterWindow.v1";

    internal const string TextColumn = StateChain.Prefix + "WindowText";

    /// <summary>The 16 window columns, oldest first.</summary>
    internal static readonly string[] Columns = Enumerable.Range(0, CharacterEvents.MaxBlockSize).Select(i => $"{StateChain.Prefix}Window{i:D2}").ToArray();

    internal static readonly ReadOnlyMemory<char> Boundary = CharacterVocabulary.Boundary.ToString().AsMemory();

    /// <inheritdoc/>
    public override Action<CharacterWindowInput, CharacterWindowOutput> GetMapping() => static (input, output) => Split(input.Text, Boundary, output);

    // The last 16 characters of a text, the boundary's text before its start.
    internal static void Split(ReadOnlyMemory<char> text, ReadOnlyMemory<char> boundary, CharacterWindowOutput output)
    {
        int size = CharacterEvents.MaxBlockSize;
        for (int i = 0; i < size; i++)
        {
            int position = text.Length - size + i;
            output.Set(i, position < 0 ? boundary : text.Slice(position, 1));
        }
    }
}

/// <summary>
/// <see cref="CharacterWindowMapping"/> for a vocabulary whose characters include <c>'.'</c>: the window is padded with
/// <see cref="CharacterVocabulary.DistinctBoundaryText"/>, which no character can be, so a real <c>'.'</c> keeps its own key.
/// Stateless; part of the saved-model contract.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class DistinctBoundaryWindowMapping : CustomMappingFactory<CharacterWindowInput, CharacterWindowOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.CharacterWindow.DistinctBoundary.v1";

    private static readonly ReadOnlyMemory<char> Boundary = CharacterVocabulary.DistinctBoundaryText.AsMemory();

    /// <inheritdoc/>
    public override Action<CharacterWindowInput, CharacterWindowOutput> GetMapping() => static (input, output) =>
        CharacterWindowMapping.Split(input.Text, Boundary, output);
}

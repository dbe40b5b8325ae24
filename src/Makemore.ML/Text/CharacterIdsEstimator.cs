using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Persistence;

namespace Makemore.ML.Text;

public sealed partial class CharacterIdsEstimator
{
    /// <summary>Options of <see cref="CharacterIdsEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The output column: a variable-length vector of <c>Int32</c> character ids (no boundary tokens). Default <c>Ids</c>.</summary>
        public string OutputColumnName { get; set; } = CharacterIdsEstimator.Defaults.OutputColumnName;

        /// <summary>The input text column. Default <c>Name</c>.</summary>
        public string InputColumnName { get; set; } = NameInput.ColumnName;

        /// <summary>What happens, when transforming, to a character unseen in the data the vocabulary was learned from. Default: error.</summary>
        public UnknownCharacterPolicy UnknownCharacters { get; set; } = UnknownCharacterPolicy.Error;
    }
}

/// <summary>
/// Learns a <see cref="CharacterVocabulary"/> (the boundary = 0, then the sorted characters) from a text column and maps text
/// to character ids. The ids column carries the vocabulary in an annotation, so that trainers downstream build models that
/// carry their own vocabulary; no other column is added.
/// </summary>
public sealed partial class CharacterIdsEstimator : IEstimator<CharacterIdsTransformer>
{
    /// <summary>Default values, shared by the catalog, the options and the docs.</summary>
    public static class Defaults
    {
        /// <summary>The default output column.</summary>
        public const string OutputColumnName = "Ids";
    }

    private readonly CharacterIdsEstimator.Options _options;
    private readonly Catalogs _catalogs;

    /// <summary>Creates the estimator in <paramref name="mlContext"/>; prefer <c>mlContext.Transforms.Text.MapCharactersToIds</c>.</summary>
    public CharacterIdsEstimator(MLContext mlContext, CharacterIdsEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal CharacterIdsEstimator(Catalogs catalogs, CharacterIdsEstimator.Options options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(options.InputColumnName);
        // Copied: an estimator is immutable, a later change to the caller's options changes nothing here.
        _options = new CharacterIdsEstimator.Options { OutputColumnName = options.OutputColumnName, InputColumnName = options.InputColumnName, UnknownCharacters = options.UnknownCharacters };
    }

    /// <inheritdoc/>
    public CharacterIdsTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(_options.InputColumnName, input.Schema.GetColumnOrNull(_options.InputColumnName)?.Type);
        var vocabulary = CharacterVocabulary.Learn(input, input.Schema[_options.InputColumnName], _options.UnknownCharacters);
        return Create(_catalogs, vocabulary, _options.OutputColumnName, _options.InputColumnName, input);
    }

    /// <summary>Builds the transformer for a known vocabulary (no learning).</summary>
    internal static CharacterIdsTransformer Create(Catalogs catalogs, CharacterVocabulary vocabulary, string outputColumnName, string inputColumnName, IDataView input)
    {
        var direct = new CharacterIdsDirectMapping(vocabulary, outputColumnName, inputColumnName);
        return new CharacterIdsTransformer(direct, FacadeTransformer.ChainBuilder(direct, () => Chain(catalogs, vocabulary, outputColumnName, inputColumnName), input.Schema), vocabulary);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = inputSchema.Where(c => c.Name == _options.InputColumnName).Select(c => (SchemaShape.Column?)c).LastOrDefault()
            ?? throw SchemaErrors.Missing("input", _options.InputColumnName);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw SchemaErrors.Mismatch("input", _options.InputColumnName, "String", SchemaErrors.Describe(column));
        return DirectMapping.OutputShape(inputSchema, CharacterIdsDirectMapping.Columns(_options.OutputColumnName),
            () => Chain(_catalogs, CharacterVocabulary.FromCharacters(""), _options.OutputColumnName, _options.InputColumnName).GetOutputSchema(inputSchema));
    }

    private void CheckInput(string name, DataViewType? type)
    {
        if (type is null)
            throw SchemaErrors.Missing("input", name);
        if (type is not TextDataViewType)
            throw SchemaErrors.Mismatch("input", name, "String", type);
    }

    internal static IEstimator<ITransformer> Chain(Catalogs ml, CharacterVocabulary vocabulary, string outputColumnName, string inputColumnName)
    {
        return StateChain.Estimator(ml,
            copyIn: [(CharacterIdsMapping.TextColumn, inputColumnName)],
            stateColumn: CharacterIdsMapping.VocabularyColumn,
            state: ModelState.EncodeVocabulary(vocabulary),
            compute: ml.Transforms.CustomMapping(new CharacterIdsMapping().GetMapping(), CharacterIdsMapping.ContractName),
            // The ids alone: the vocabulary reaches the trainers as an annotation of the ids on the direct route
            // (CharacterIdsDirectMapping), never as a column that Preview would show.
            copyOut: [(outputColumnName, CharacterIdsMapping.IdsColumn)],
            drop: [CharacterIdsMapping.TextColumn, CharacterIdsMapping.IdsColumn, CharacterIdsMapping.VocabularyColumn],
            textInput: inputColumnName);
    }
}

/// <summary>Maps text to character ids with a learned <see cref="CharacterVocabulary"/>; saves as a plain ML.NET model.</summary>
public sealed class CharacterIdsTransformer : FacadeTransformer
{
    internal CharacterIdsTransformer(DirectMapping direct, Func<ITransformer> buildInner, CharacterVocabulary vocabulary)
        : base(direct, buildInner) => Vocabulary = vocabulary;

    /// <summary>The learned vocabulary.</summary>
    public CharacterVocabulary Vocabulary { get; }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;

namespace Makemore.ML.Text;

/// <summary>A character embedding table: one vector of <see cref="Dimension"/> floats per symbol of a vocabulary.</summary>
public sealed class CharacterEmbeddings
{
    private readonly float[] _values;

    /// <summary>Wraps a table.</summary>
    /// <param name="vocabulary">The symbols, by id.</param>
    /// <param name="dimension">E, floats per symbol.</param>
    /// <param name="values">(V, E) row-major: row i is the embedding of id i.</param>
    public CharacterEmbeddings(CharacterVocabulary vocabulary, int dimension, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (values.Length != (long)vocabulary.Size * dimension)
            throw new ArgumentException($"The table must have {vocabulary.Size} × {dimension} values, not {values.Length}.", nameof(values));
        Vocabulary = vocabulary;
        Dimension = dimension;
        _values = values.ToArray();
    }

    /// <summary>The table of a trained MLP-family model (its C, lecture part 2).</summary>
    public static CharacterEmbeddings FromModel(MlpModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new CharacterEmbeddings(model.Vocabulary, model.EmbeddingSize, model.Embedding);
    }

    /// <summary>The symbols, by id.</summary>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>E, floats per symbol.</summary>
    public int Dimension { get; }

    /// <summary>The embedding of id <paramref name="id"/>.</summary>
    public ReadOnlySpan<float> this[int id] => _values.AsSpan(id * Dimension, Dimension);
}

public sealed partial class CharacterEmbeddingEstimator
{
    /// <summary>Options of <see cref="CharacterEmbeddingEstimator"/> (<c>mlContext.Transforms.Text.ApplyCharacterEmbedding</c>).</summary>
    public sealed class Options
    {
        /// <summary>The output column: N·E floats, the embeddings of the context's characters concatenated, oldest first. Default <c>Features</c>.</summary>
        public string OutputColumnName { get; set; } = CharacterEmbeddingEstimator.Defaults.OutputColumnName;

        /// <summary>The input column: a known-size vector of character keys (the events view's <c>Context</c>). Default: the output column's name.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>The table; required.</summary>
        public CharacterEmbeddings? Embeddings { get; set; }
    }
}

/// <summary>
/// Looks up each key of a context key vector in a character embedding table and concatenates the vectors (the lecture's
/// <c>C[X]</c> then <c>view(-1, N·E)</c>; one-hot · C is a row lookup). Keys are read by their <c>KeyValues</c>
/// (the characters), so any view keyed by characters works; the result is a known-size float vector that ML.NET's trainers take.
/// </summary>
public sealed partial class CharacterEmbeddingEstimator : IEstimator<CharacterEmbeddingTransformer>
{
    /// <summary>Default values, shared by the catalog and the options.</summary>
    public static class Defaults
    {
        /// <summary>ML.NET's default feature column.</summary>
        public const string OutputColumnName = "Features";
    }

    private readonly string _output;
    private readonly string _input;
    private readonly CharacterEmbeddings _embeddings;
    private readonly Catalogs _catalogs;

    /// <summary>Creates the estimator in <paramref name="mlContext"/>; prefer <c>mlContext.Transforms.Text.ApplyCharacterEmbedding</c>.</summary>
    public CharacterEmbeddingEstimator(MLContext mlContext, CharacterEmbeddingEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal CharacterEmbeddingEstimator(Catalogs catalogs, CharacterEmbeddingEstimator.Options options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        _embeddings = options.Embeddings ?? throw new ArgumentNullException(nameof(options), "CharacterEmbeddingEstimator.Options.Embeddings is required.");
        _output = options.OutputColumnName;
        _input = options.InputColumnName ?? options.OutputColumnName;
    }

    /// <inheritdoc/>
    public CharacterEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int n = BlockSize(input.Schema.GetColumnOrNull(_input)?.Type);
        return new CharacterEmbeddingTransformer(Chain(n).Fit(input), _embeddings, schema => BlockSize(schema.GetColumnOrNull(_input)?.Type));
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = inputSchema.Where(c => c.Name == _input).Select(c => (SchemaShape.Column?)c).LastOrDefault()
            ?? throw SchemaErrors.Missing("input", _input);
        if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Vector)
            throw SchemaErrors.Mismatch("input", _input, "known-size vector of character keys", SchemaErrors.Describe(column));
        return Chain(1).GetOutputSchema(inputSchema); // a schema shape has no vector sizes: one position stands for any
    }

    private int BlockSize(DataViewType? type)
    {
        if (type is null)
            throw SchemaErrors.Missing("input", _input);
        if (type is not VectorDataViewType { ItemType: KeyDataViewType, Size: > 0 and <= CharacterEvents.MaxBlockSize } vector)
            throw SchemaErrors.Mismatch("input", _input, $"vector of 1 to {CharacterEvents.MaxBlockSize} character keys", type);
        return vector.Size;
    }

    // MapKeyToValue(keys → characters) → CustomMapping(last 16 as scalar columns) → per position MapValue(character → E floats)
    // → Concatenate(the last N) → drop.
    private IEstimator<ITransformer> Chain(int n)
    {
        var ml = _catalogs;
        string characters = StateChain.Prefix + "ContextCharacters";
        var table = Table(ml);
        IEstimator<ITransformer> chain = ml.Transforms.Conversion.MapKeyToValue(characters, _input)
            .Append(ml.Transforms.CustomMapping(new CharacterVectorWindowMapping().GetMapping(), CharacterVectorWindowMapping.ContractName));
        var window = CharacterWindowMapping.Columns[^n..];
        var vectors = window.Select(c => c + ".Embedding").ToArray();
        for (int i = 0; i < n; i++)
            chain = chain.Append(ml.Transforms.Conversion.MapValue(vectors[i], table, table.Schema[nameof(TableRow.Symbol)], table.Schema[nameof(TableRow.Vector)], window[i]));
        return chain.Append(ml.Transforms.Concatenate(_output, vectors))
            .Append(ml.Transforms.DropColumns([characters, .. CharacterWindowMapping.Columns, .. vectors]));
    }

    private IDataView Table(Catalogs ml)
    {
        var schema = SchemaDefinition.Create(typeof(TableRow));
        schema[nameof(TableRow.Vector)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, _embeddings.Dimension);
        var rows = Enumerable.Range(0, _embeddings.Vocabulary.Size)
            .Select(id => new TableRow { Symbol = _embeddings.Vocabulary.TextOf(id), Vector = _embeddings[id].ToArray() }).ToList(); // as KeyValues name them
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class TableRow
    {
        public string Symbol { get; set; } = "";

        public float[] Vector { get; set; } = [];
    }
}

/// <summary>Maps character keys to their concatenated embeddings; a plain ML.NET chain of built-in transformers and one stateless mapping.</summary>
public sealed class CharacterEmbeddingTransformer : FacadeTransformer
{
    internal CharacterEmbeddingTransformer(ITransformer inner, CharacterEmbeddings embeddings, Action<DataViewSchema> checkInput) : base(inner, checkInput) => Embeddings = embeddings;

    /// <summary>The table.</summary>
    public CharacterEmbeddings Embeddings { get; }
}

/// <summary>Input of <see cref="CharacterVectorWindowMapping"/>.</summary>
public sealed class CharacterVectorWindowInput
{
    /// <summary>The context's characters, oldest first.</summary>
    [ColumnName(StateChain.Prefix + "ContextCharacters")]
    public ReadOnlyMemory<char>[] Characters { get; set; } = [];
}

/// <summary>
/// Splits a vector of characters into the 16 scalar window columns of <see cref="CharacterWindowMapping"/> (the last 16,
/// <c>'.'</c> before the start). Stateless; part of the saved-model contract.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CharacterVectorWindowMapping : CustomMappingFactory<CharacterVectorWindowInput, CharacterWindowOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.CharacterVectorWindow.v1";

    /// <inheritdoc/>
    public override Action<CharacterVectorWindowInput, CharacterWindowOutput> GetMapping() => static (input, output) =>
    {
        var characters = input.Characters;
        int size = CharacterEvents.MaxBlockSize;
        for (int i = 0; i < size; i++)
        {
            int position = characters.Length - size + i;
            output.Set(i, position < 0 ? CharacterWindowMapping.Boundary : characters[position]);
        }
    };
}

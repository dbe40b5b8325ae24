using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>What a character model says about a text, as a feature.</summary>
public enum CharacterModelScore
{
    /// <summary>Negative log-likelihood per predicted character, in nats (the end token included): low for texts like the ones it was fitted on.</summary>
    NllPerCharacter,

    /// <summary>Sum of ln p over every predicted character, the end token included.</summary>
    LogLikelihood,

    /// <summary><c>exp(NllPerCharacter)</c>.</summary>
    Perplexity,
}

/// <summary>
/// Fits a character language model of any <see cref="ModelKind"/> on a text column — on every row, or only on the rows
/// whose label column has a given value — and adds what it says about each row's text as <c>Single</c> columns named by
/// the user: language-model scores as features for any ML.NET trainer. Two of these (one per class) compose in one
/// pipeline with nothing in between; the ids and raw score columns they use are dropped again.
/// </summary>
/// <remarks>
/// Leakage: a model scores the rows it was fitted on better than new ones (an 8-gram remembers its training names), so
/// a trainer downstream learns to trust the feature too much. Fit the downstream trainer on features of rows the model
/// did not see: <see cref="CharacterModelFeatures.CrossFit"/> gives K-fold out-of-fold features for the training rows,
/// and the fitted transformer (fitted on all rows) scores new data.
/// </remarks>
public sealed class CharacterModelScoreEstimator : IEstimator<TransformerChain<ITransformer>>
{
    private readonly Catalogs _ml;
    private readonly Options _options;

    /// <summary>What to fit and what to output.</summary>
    public sealed class Options
    {
        /// <summary>The text column (one item per row). Required.</summary>
        public string InputColumnName { get; set; } = "";

        /// <summary>The columns added, each a <c>Single</c> with its score. Default: one, <c>NllPerCharacter</c> named after nothing (give at least one name).</summary>
        public IReadOnlyList<(string Name, CharacterModelScore Score)> Outputs { get; set; } = [];

        /// <summary>The kind of model, by name (<see cref="ModelKinds"/>). Default <c>ngram</c>.</summary>
        public string Kind { get; set; } = "ngram";

        /// <summary>The kind's options (<c>ModelKinds.Get(Kind).CreateOptions()</c>, changed), or null for its defaults.</summary>
        public object? KindOptions { get; set; }

        /// <summary>With <see cref="LabelValue"/>: fit only on the rows whose label column has that value (a class-conditional model). Null: every row.</summary>
        public string? LabelColumnName { get; set; }

        /// <summary>The label value of the rows to fit on, compared with the label as text (<c>"True"</c>, <c>"girl"</c>, <c>"3"</c>).</summary>
        public string? LabelValue { get; set; }

        /// <summary>
        /// What the model does with characters it has never seen. Default <see cref="UnknownCharacterPolicy.MapToUnknown"/>:
        /// a feature pipeline must not throw on the first <c>É</c> of production data.
        /// </summary>
        public UnknownCharacterPolicy UnknownCharacters { get; set; } = UnknownCharacterPolicy.MapToUnknown;

        internal Options Copy() => (Options)MemberwiseClone();
    }

    /// <summary>Creates the estimator; prefer <c>mlContext.Transforms.Text.ScoreWithCharacterModel(...)</c>.</summary>
    public CharacterModelScoreEstimator(MLContext mlContext, Options options) : this(Catalogs.Of(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal CharacterModelScoreEstimator(Catalogs catalogs, Options options)
    {
        _ml = catalogs;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.InputColumnName, nameof(options.InputColumnName));
        if (options.Outputs.Count == 0)
            throw new ArgumentException("Name at least one output column.", nameof(options));
        if (options.Outputs.Any(o => string.IsNullOrEmpty(o.Name)) || options.Outputs.Select(o => o.Name).Distinct().Count() != options.Outputs.Count)
            throw new ArgumentException("Every output column needs its own non-empty name.", nameof(options));
        if ((options.LabelColumnName is null) != (options.LabelValue is null))
            throw new ArgumentException("Give LabelColumnName and LabelValue together (or neither, to fit on every row).", nameof(options));
        ModelKinds.Get(options.Kind);
        _options = options.Copy(); // estimators are immutable: a later change to the caller's options changes nothing here
    }

    /// <inheritdoc/>
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        var kind = ModelKinds.Get(_options.Kind);
        // Column names of our own, so that two of these in one pipeline (or a user's own Ids column) never meet.
        var options = _options.KindOptions ?? kind.CreateOptions();
        kind.SetIdsColumn(options, $"__Makemore.{_options.Outputs[0].Name}.Ids");
        string ids = kind.IdsColumnOf(options); // a kind whose options have no ids column of their own reads its default
        var map = _ml.Transforms.Text.MapCharactersToIds(ids, _options.InputColumnName, _options.UnknownCharacters).Fit(input);
        var fitOn = _options.LabelColumnName is null ? input : Rows(input);
        var model = new LanguageModelEstimator(_ml, kind, options).Fit(map.Transform(fitOn));
        var transformers = new List<ITransformer> { map, model };
        var raw = model.Transform(map.Transform(input)); // lazy: only its schema is read by the conversions' fits
        foreach (var (name, score) in _options.Outputs)
            transformers.Add(_ml.Transforms.Conversion.ConvertType(name, ColumnOf(score), DataKind.Single).Fit(raw));
        var scored = new TransformerChain<ITransformer>([.. transformers]).Transform(input);
        string[] internalColumns = [ids, ScoreColumns.LogLikelihood, ScoreColumns.NllPerCharacter, ScoreColumns.Perplexity, ScoreColumns.PredictedCharacterCount, ScoreColumns.NextCharacterProbabilities];
        transformers.Add(_ml.Transforms.DropColumns(internalColumns.Where(c => scored.Schema.GetColumnOrNull(c) is not null && !_options.Outputs.Any(o => o.Name == c)).ToArray()).Fit(scored));
        return new TransformerChain<ITransformer>([.. transformers]);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var type = inputSchema.Where(c => c.Name == _options.InputColumnName).Select(c => (SchemaShape.Column?)c).LastOrDefault()
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_options.InputColumnName}' not found.");
        if (type.Kind != SchemaShape.Column.VectorKind.Scalar || type.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for input column '{_options.InputColumnName}': expected String, got {type.ItemType}.");
        // The outputs are Single scalars by those names: the shape a conversion to Single gives (ML.NET builds SchemaShape columns only itself).
        IEstimator<ITransformer> shape = new EstimatorChain<ITransformer>();
        foreach (var (name, _) in _options.Outputs)
            shape = shape.Append(_ml.Transforms.Conversion.ConvertType(name, _options.InputColumnName, DataKind.Single));
        return shape.GetOutputSchema(inputSchema);
    }

    private void CheckInput(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_options.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{_options.InputColumnName}' not found.");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for input column '{_options.InputColumnName}': expected String, got {column.Type}.");
        if (_options.LabelColumnName is { } label && schema.GetColumnOrNull(label) is null)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{label}' not found.");
    }

    // The rows whose label, as text, is the label value: the data a class-conditional model is fitted on.
    private IDataView Rows(IDataView input)
    {
        var text = input.Schema[_options.InputColumnName];
        var label = input.Schema[_options.LabelColumnName!];
        var kept = new List<NameInput>();
        using var cursor = input.GetRowCursor([text, label]);
        var getText = cursor.GetGetter<ReadOnlyMemory<char>>(text);
        var getLabel = LabelText(cursor, label);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            if (getLabel() != _options.LabelValue)
                continue;
            getText(ref value);
            kept.Add(new NameInput { Name = value.ToString() });
        }
        if (kept.Count == 0)
            throw new ArgumentException($"No row has {_options.LabelColumnName} = '{_options.LabelValue}': nothing to fit the character model on.", nameof(input));
        var definition = SchemaDefinition.Create(typeof(NameInput));
        definition[0].ColumnName = _options.InputColumnName;
        return _ml.Data.LoadFromEnumerable(kept, definition);
    }

    // A label of any ML.NET scalar type, read as text (a key as the text of its value when it has key values).
    private static Func<string> LabelText(DataViewRowCursor cursor, DataViewSchema.Column label)
    {
        switch (label.Type)
        {
            case TextDataViewType:
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(label);
                ReadOnlyMemory<char> v = default;
                return () => { get(ref v); return v.ToString(); };
            }
            case BooleanDataViewType:
            {
                var get = cursor.GetGetter<bool>(label);
                bool v = default;
                return () => { get(ref v); return v.ToString(); };
            }
            case NumberDataViewType n when n.RawType == typeof(float):
            {
                var get = cursor.GetGetter<float>(label);
                float v = default;
                return () => { get(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
            }
            case NumberDataViewType n when n.RawType == typeof(int):
            {
                var get = cursor.GetGetter<int>(label);
                int v = default;
                return () => { get(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(label), $"Label column '{label.Name}' is {label.Type}; use a String, Boolean, Single or Int32 label.");
        }
    }

    private static string ColumnOf(CharacterModelScore score) => score switch
    {
        CharacterModelScore.NllPerCharacter => ScoreColumns.NllPerCharacter,
        CharacterModelScore.LogLikelihood => ScoreColumns.LogLikelihood,
        CharacterModelScore.Perplexity => ScoreColumns.Perplexity,
        _ => throw new ArgumentOutOfRangeException(nameof(score), score, "Unknown score."),
    };
}

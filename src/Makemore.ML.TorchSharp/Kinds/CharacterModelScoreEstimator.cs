using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
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

    /// <summary>
    /// The percentile, 0–100, of the row's <see cref="NllPerCharacter"/> among the NLLs per character of the rows the model
    /// was fitted on (every row, or those of the label value; each scored by the fitted model itself, so in-sample):
    /// <c>100 · (#{fitted rows with a lower NLL} + ½ · #{with an equal NLL}) / #{fitted rows}</c>, ties counting half.
    /// Low: the model finds the text more likely than it finds most of its own rows; high: less likely.
    /// </summary>
    Percentile,
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

        // A copy that later changes to this object, its output list or its kind's options do not reach.
        internal Options Copy()
        {
            var copy = (Options)MemberwiseClone();
            copy.Outputs = [.. Outputs];
            copy.KindOptions = KindOptions is null ? null : ModelKinds.Get(Kind).CopyOptions(KindOptions);
            return copy;
        }
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
        // A copy per fit: the estimator's own options stay as they were made.
        var options = _options.KindOptions is { } kindOptions ? kind.CopyOptions(kindOptions) : kind.CreateOptions();
        kind.SetIdsColumn(options, $"{StateChain.Prefix}{_options.Outputs[0].Name}.Ids");
        string ids = kind.IdsColumnOf(options); // a kind whose options have no ids column of their own reads its default
        var map = _ml.Transforms.Text.MapCharactersToIds(ids, _options.InputColumnName, _options.UnknownCharacters).Fit(input);
        var fitOn = _options.LabelColumnName is null ? input : Rows(input);
        using (var cursor = fitOn.GetRowCursor([]))
            if (!cursor.MoveNext())
                throw NoRows();
        var model = new LanguageModelEstimator(_ml, kind, options).Fit(map.Transform(fitOn));
        var transformers = new List<ITransformer> { map, model };
        // Each score → Single under an internal name; the ids and raw scores dropped; then the user's names. Through internal
        // names, so that an output named as a raw score (LogLikelihood) does not leave the raw one behind it, hidden.
        var temporaries = _options.Outputs.Select(o => $"{StateChain.Prefix}{_options.Outputs[0].Name}.{o.Name}").ToArray();
        var view = model.Transform(map.Transform(input)); // lazy: only schemas are read by the fits below
        string? percentiles = _options.Outputs.Any(o => o.Score == CharacterModelScore.Percentile)
            ? new NllPercentiles(model.Transform(map.Transform(fitOn)).GetColumn<double>(ScoreColumns.NllPerCharacter)).Encode()
            : null;
        for (int i = 0; i < temporaries.Length; i++)
            view = Add(_options.Outputs[i].Score == CharacterModelScore.Percentile
                ? Percentile(temporaries[i], percentiles!)
                : _ml.Transforms.Conversion.ConvertType(temporaries[i], ColumnOf(_options.Outputs[i].Score), DataKind.Single), view);
        string[] internalColumns = [ids, ScoreColumns.LogLikelihood, ScoreColumns.NllPerCharacter, ScoreColumns.Perplexity, ScoreColumns.PredictedCharacterCount, ScoreColumns.NextCharacterProbabilities];
        view = Add(_ml.Transforms.DropColumns(internalColumns.Where(c => view.Schema.GetColumnOrNull(c) is not null).ToArray()), view);
        for (int i = 0; i < temporaries.Length; i++)
            view = Add(_ml.Transforms.CopyColumns(_options.Outputs[i].Name, temporaries[i]), view);
        Add(_ml.Transforms.DropColumns(temporaries), view);
        return new TransformerChain<ITransformer>([.. transformers]);

        IDataView Add(IEstimator<ITransformer> step, IDataView before)
        {
            var fitted = step.Fit(before);
            transformers.Add(fitted);
            return fitted.Transform(before);
        }
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var type = inputSchema.Where(c => c.Name == _options.InputColumnName).Select(c => (SchemaShape.Column?)c).LastOrDefault()
            ?? throw SchemaErrors.Missing("input", _options.InputColumnName);
        if (type.Kind != SchemaShape.Column.VectorKind.Scalar || type.ItemType is not TextDataViewType)
            throw SchemaErrors.Mismatch("input", _options.InputColumnName, "String", SchemaErrors.Describe(type));
        // The outputs are Single scalars by those names: the shape a conversion to Single gives (ML.NET builds SchemaShape columns only itself).
        IEstimator<ITransformer> shape = new EstimatorChain<ITransformer>();
        foreach (var (name, _) in _options.Outputs)
            shape = shape.Append(_ml.Transforms.Conversion.ConvertType(name, _options.InputColumnName, DataKind.Single));
        return shape.GetOutputSchema(inputSchema);
    }

    private void CheckInput(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_options.InputColumnName)
            ?? throw SchemaErrors.Missing("input", _options.InputColumnName);
        if (column.Type is not TextDataViewType)
            throw SchemaErrors.Mismatch("input", _options.InputColumnName, "String", column.Type);
        if (_options.LabelColumnName is { } label && schema.GetColumnOrNull(label) is null)
            throw SchemaErrors.Missing("label", label);
    }

    private ArgumentException NoRows() => new(
        $"The text column '{_options.InputColumnName}' has no rows{(_options.LabelColumnName is null ? "" : $" with {_options.LabelColumnName} = '{_options.LabelValue}'")}: nothing to fit the character model on.", "input");

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
            throw NoRows();
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

    // The row's NLL per character → its percentile among the fitted rows' (the table rides in the saved model as a state).
    private IEstimator<ITransformer> Percentile(string outputColumnName, string table) =>
        StateChain.Estimator(_ml,
            copyIn: [(NllPercentileMapping.NllColumn, ScoreColumns.NllPerCharacter)],
            stateColumn: NllPercentileMapping.TableColumn,
            state: table,
            compute: _ml.Transforms.CustomMapping(new NllPercentileMapping().GetMapping(), NllPercentileMapping.ContractName),
            copyOut: [(outputColumnName, NllPercentileMapping.PercentileColumn)],
            drop: [NllPercentileMapping.NllColumn, NllPercentileMapping.TableColumn, NllPercentileMapping.PercentileColumn]);

    private static string ColumnOf(CharacterModelScore score) => score switch
    {
        CharacterModelScore.NllPerCharacter => ScoreColumns.NllPerCharacter,
        CharacterModelScore.LogLikelihood => ScoreColumns.LogLikelihood,
        CharacterModelScore.Perplexity => ScoreColumns.Perplexity,
        _ => throw new ArgumentOutOfRangeException(nameof(score), score, "Unknown score."),
    };
}

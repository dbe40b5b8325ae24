using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.Persistence;

/// <summary>
/// Base of every Makemore transformer: a façade over a chain of built-in ML.NET transformers (a
/// <c>HashingTransformer</c> holding the state in its key values and a <c>KeyToValueMappingTransformer</c> handing it out, our versioned <c>CustomMapping</c>s computing), to which it
/// delegates saving. A saved model is therefore a plain ML.NET zip that loads with
/// <c>mlContext.Model.Load</c> and no registration; <see cref="MakemoreModel"/> recovers our objects from it.
/// </summary>
/// <remarks>
/// A façade that has a <see cref="DirectMapping"/> transforms and serves <c>PredictionEngine</c> through it: one wrapped
/// row with the same columns and values, without the chain's nested transforms (about 8 per façade, most of a
/// <c>Predict</c>'s time before). Its chain is then built only when something needs it (saving, or reading the state back),
/// fitted on an empty view of the schema it was trained on.
/// </remarks>
public abstract class FacadeTransformer : ITransformer
{
    private readonly Lazy<ITransformer> _inner;
    private readonly DirectMapping? _direct;
    private readonly Action<DataViewSchema>? _checkInput;

    // checkInput throws ML.NET's schema error (SchemaErrors) for an input the chain cannot take, before the chain sees it:
    // the chain's own error would name our internal columns, and come only when a row is read.
    private protected FacadeTransformer(ITransformer inner, Action<DataViewSchema>? checkInput = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = new Lazy<ITransformer>(inner);
        _checkInput = checkInput;
    }

    // The direct route, with the chain built on first need by buildInner.
    private protected FacadeTransformer(DirectMapping direct, Func<ITransformer> buildInner)
    {
        ArgumentNullException.ThrowIfNull(direct);
        ArgumentNullException.ThrowIfNull(buildInner);
        _direct = direct;
        _inner = new Lazy<ITransformer>(buildInner, LazyThreadSafetyMode.ExecutionAndPublication);
        _checkInput = direct.CheckInputs;
    }

    /// <summary>
    /// How a fitted façade gets its chain: <paramref name="chain"/>'s estimators fitted on an empty view of the schema it
    /// was trained on, when first needed. When the direct route cannot serve that schema the chain is built at once, so
    /// that it reports what is wrong with the input as it did when every fit built it (and is kept, not built again).
    /// </summary>
    internal static Func<ITransformer> ChainBuilder(DirectMapping direct, Func<IEstimator<ITransformer>> chain, DataViewSchema trainedOn)
    {
        ITransformer Build() => chain().Fit(new EmptyView(trainedOn));
        if (direct.Inputs(trainedOn) is not null)
            return Build;
        var built = Build();
        return () => built;
    }

    /// <summary>The chain of built-in transformers that is what gets saved (and transforms, when there is no direct route).</summary>
    internal ITransformer Inner => _inner.Value;

    /// <summary>Whether <see cref="Inner"/> has been built (for the tests that check the direct route is taken).</summary>
    internal bool ChainBuilt => _inner.IsValueCreated;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _direct is not null || Inner.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        Direct(inputSchema)?.OutputSchema ?? InnerFor(inputSchema).GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        Direct(inputSchema) ?? InnerFor(inputSchema).GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // ML.NET's ConvertToOnnx would otherwise export the scores as the graph's inputs (see OnnxConversionGuard).
        OnnxConversionGuard.ThrowIfConverting();
        return Direct(input.Schema) is { } mapper ? new DirectDataView(input, mapper) : InnerFor(input.Schema).Transform(input);
    }

    // The chain, for a schema that has passed the façade's own input check.
    private ITransformer InnerFor(DataViewSchema inputSchema)
    {
        _checkInput?.Invoke(inputSchema);
        return Inner;
    }

    /// <inheritdoc/>
    void ICanSaveModel.Save(ModelSaveContext ctx) => Inner.Save(ctx);

    private DirectRowMapper? Direct(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return _direct?.MapperFor(inputSchema);
    }
}

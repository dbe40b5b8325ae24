using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.Persistence;

/// <summary>
/// Base of every Makemore transformer: a façade over a chain of built-in ML.NET transformers (a
/// <c>HashingTransformer</c> holding the state in its key values and a <c>KeyToValueMappingTransformer</c> handing it out, our versioned <c>CustomMapping</c>s computing), to which it
/// delegates transforming and saving. A saved model is therefore a plain ML.NET zip that loads with
/// <c>mlContext.Model.Load</c> and no registration; <see cref="MakemoreModel"/> recovers our objects from it.
/// </summary>
public abstract class FacadeTransformer : ITransformer
{
    private protected FacadeTransformer(ITransformer inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The chain of built-in transformers that does the work and is what gets saved.</summary>
    internal ITransformer Inner { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Inner.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Inner.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Inner.Transform(input);

    /// <inheritdoc/>
    void ICanSaveModel.Save(ModelSaveContext ctx) => Inner.Save(ctx);
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Makemore.ML.Persistence;

/// <summary>
/// Builds the inner chain of a façade: a constant key column, a <c>ValueMapping</c> from that key to the
/// state string, the computing <c>CustomMapping</c>, then cleanup. Column names that start with
/// <see cref="Prefix"/> are ours.
/// </summary>
internal static class StateChain
{
    public const string Prefix = "__Makemore.";
    public const string KeyColumn = Prefix + "StateKey";
    public const uint Key = 1;

    /// <summary>
    /// <c>CopyColumns(inputs) → StateKey → ValueMapping(key → state) → compute → CopyColumns(outputs) → DropColumns(temporaries)</c>.
    /// </summary>
    public static IEstimator<ITransformer> Estimator(
        MLContext ml,
        IReadOnlyList<(string Internal, string Source)> copyIn,
        string stateColumn,
        string state,
        IEstimator<ITransformer> compute,
        IReadOnlyList<(string Destination, string Internal)> copyOut,
        IReadOnlyList<string> drop)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach ((string to, string from) in copyIn)
            chain = chain.Append(ml.Transforms.CopyColumns(to, from));
        chain = chain
            .Append(ml.Transforms.CustomMapping(new StateKeyMapping().GetMapping(), StateKeyMapping.ContractName))
            .Append(ml.Transforms.Conversion.MapValue(stateColumn, [new KeyValuePair<uint, string>(Key, state)], KeyColumn))
            .Append(compute);
        foreach ((string to, string from) in copyOut)
            chain = chain.Append(ml.Transforms.CopyColumns(to, from));
        var temporaries = drop.Append(KeyColumn).Distinct().ToArray();
        return chain.Append(ml.Transforms.DropColumns(temporaries));
    }

    /// <summary>Reads the state a (loaded or fresh) <c>ValueMapping</c> transformer holds under <paramref name="stateColumn"/>, or null if it holds none.</summary>
    public static string? ReadState(ITransformer transformer, string stateColumn)
    {
        var ml = new MLContext();
        var probe = ml.Data.LoadFromEnumerable([new KeyRow()]);
        DataViewSchema schema;
        try
        {
            schema = transformer.GetOutputSchema(probe.Schema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
        if (schema.GetColumnOrNull(stateColumn) is null)
            return null;
        var output = transformer.Transform(probe);
        var column = output.Schema[stateColumn];
        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        if (!cursor.MoveNext())
            return null;
        getter(ref value);
        return value.ToString(); // the string instance itself when the value is a whole string, as ML.NET's text codec gives
    }

    private sealed class KeyRow
    {
        [ColumnName(KeyColumn)]
        public uint Key { get; set; } = StateChain.Key;
    }
}

/// <summary>Input of <see cref="StateKeyMapping"/>: nothing.</summary>
public sealed class StateKeyInput
{
}

/// <summary>Output of <see cref="StateKeyMapping"/>: the constant key under which a façade's state is stored.</summary>
public sealed class StateKeyOutput
{
    /// <summary>Always <c>1</c>.</summary>
    [ColumnName(StateChain.KeyColumn)]
    public uint Key { get; set; }
}

/// <summary>Adds the constant key column that a state <c>ValueMapping</c> looks up. Stateless; part of the saved-model contract.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class StateKeyMapping : CustomMappingFactory<StateKeyInput, StateKeyOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.StateKey.v1";

    /// <inheritdoc/>
    public override Action<StateKeyInput, StateKeyOutput> GetMapping() => static (_, output) => output.Key = StateChain.Key;
}

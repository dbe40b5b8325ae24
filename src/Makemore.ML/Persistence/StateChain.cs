using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;

namespace Makemore.ML.Persistence;

/// <summary>
/// Builds the inner chain of a façade: a constant key column, built-in transformers that turn it into the state string
/// (a hash whose key values hold the state, then <c>MapKeyToValue</c>), the computing <c>CustomMapping</c>, then cleanup. Column names that start with
/// <see cref="Prefix"/> are ours.
/// </summary>
internal static class StateChain
{
    public const string Prefix = "__Makemore.";
    public const string KeyColumn = Prefix + "StateKey";
    public const uint Key = 1;

    /// <summary>
    /// The column of the text check (<see cref="TextCheck"/>): computed by nobody, since it is dropped, but its step refuses
    /// an input column that is not text in ML.NET's words, naming the user's column, in a model loaded with
    /// <c>ml.Model.Load</c> too (our own <c>CustomMapping</c> would name its internal column).
    /// </summary>
    public const string TextCheckColumn = Prefix + "TextCheck";

    /// <summary>A built-in step that takes only text from <paramref name="inputColumnName"/> and changes nothing (its output is dropped).</summary>
    public static IEstimator<ITransformer> TextCheck(Catalogs ml, string inputColumnName) =>
        ml.Transforms.Text.NormalizeText(TextCheckColumn, inputColumnName, TextNormalizingEstimator.CaseMode.None,
            keepDiacritics: true, keepPunctuations: true, keepNumbers: true);

    /// <summary>The text form of the constant key that the state's hash transformer hashes at each row: <c>"1"</c>.</summary>
    public const string KeyTextColumn = Prefix + "StateKeyText";

    /// <summary>The hash column (a key with two values whose key-value annotation holds the state) of a state column.</summary>
    public static string SlotColumn(string stateColumn) => stateColumn + ".Slot";

    /// <summary>
    /// <c>CopyColumns(inputs) → StateKey → ConvertType(key → "1") → Hash("1" → slot; its key values hold the state) →
    /// MapKeyToValue(slot → state) → compute → CopyColumns(outputs) → DropColumns(temporaries)</c>.
    /// </summary>
    /// <remarks>
    /// The state lives in the inverted-hash key values of a built-in <c>HashingTransformer</c> (1 bit, 2 slots), fitted on a
    /// one-row data view holding the state, with a seed chosen so that the state and the constant text <c>"1"</c> fall in
    /// the same slot: every row hashes <c>"1"</c> and <c>MapKeyToValue</c> hands out the state, the same string instance
    /// for every row. ML.NET saves those key values as UTF-8 in the transformer's own stream and reads them back with one
    /// string read, without the data file, double read and re-compression of a <c>ValueMapping</c>.
    /// </remarks>
    public static IEstimator<ITransformer> Estimator(
        Catalogs ml,
        IReadOnlyList<(string Internal, string Source)> copyIn,
        string stateColumn,
        string state,
        IEstimator<ITransformer> compute,
        IReadOnlyList<(string Destination, string Internal)> copyOut,
        IReadOnlyList<string> drop,
        string? textInput = null)
    {
        string slot = SlotColumn(stateColumn);
        IEstimator<ITransformer>[] stateStage =
        [
            ml.Transforms.Conversion.ConvertType(KeyTextColumn, KeyColumn, DataKind.String),
            new Fitted(() => StateHash(ml, slot, state), HashOptions(ml, slot, 0)), // fitted only by Fit: schema questions need just its shape
            ml.Transforms.Conversion.MapKeyToValue(stateColumn, slot),
        ];
        return Chain(ml, copyIn, stateStage, compute, copyOut, drop.Append(KeyColumn).Append(KeyTextColumn).Append(slot), textInput);
    }

    // CopyColumns(inputs) → StateKey → (the route's state stage) → compute → CopyColumns(outputs) → DropColumns(temporaries).
    private static IEstimator<ITransformer> Chain(Catalogs ml, IReadOnlyList<(string Internal, string Source)> copyIn,
        IEnumerable<IEstimator<ITransformer>> stateStage, IEstimator<ITransformer> compute, IReadOnlyList<(string Destination, string Internal)> copyOut,
        IEnumerable<string> drop, string? textInput)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach ((string to, string from) in copyIn)
            chain = chain.Append(ml.Transforms.CopyColumns(to, from));
        if (textInput is not null)
        {
            chain = chain.Append(TextCheck(ml, textInput));
            drop = drop.Append(TextCheckColumn);
        }
        chain = chain.Append(ml.Transforms.CustomMapping(new StateKeyMapping().GetMapping(), StateKeyMapping.ContractName));
        foreach (var stage in stateStage)
            chain = chain.Append(stage);
        chain = chain.Append(compute);
        foreach ((string to, string from) in copyOut)
            chain = chain.Append(ml.Transforms.CopyColumns(to, from));
        return chain.Append(ml.Transforms.DropColumns(drop.Distinct().ToArray()));
    }

    private static HashingEstimator HashOptions(Catalogs ml, string slot, uint seed, int inverts = 1) =>
        ml.Transforms.Conversion.Hash([new HashingEstimator.ColumnOptions(slot, KeyTextColumn, numberOfBits: 1, seed: seed, maximumNumberOfInverts: inverts)]);

    // The hashing transformer whose key values hold the state in the slot that "1" hashes to. Each seed has an even chance.
    // The seed is found by hashing the state and "1" side by side with hashes that keep no key values (the same hash
    // function); only the chosen seed's hash is fitted to invert the state: each such fit copies the state twice, about
    // 130 MB for an 8-gram model of 886k names, which the tries of earlier seeds left to the GC.
    private static ITransformer StateHash(Catalogs ml, string slot, string state)
    {
        string key = Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var both = ml.Data.LoadFromEnumerable([new KeyTextRow { Text = state }, new KeyTextRow { Text = key }]);
        for (uint seed = 0; seed < 64; seed++)
        {
            var output = HashOptions(ml, slot, seed, inverts: 0).Fit(both).Transform(both);
            using var cursor = output.GetRowCursor([output.Schema[slot]]);
            var getter = cursor.GetGetter<uint>(output.Schema[slot]);
            uint stateSlot = 0, keySlot = 0;
            cursor.MoveNext();
            getter(ref stateSlot);
            cursor.MoveNext();
            getter(ref keySlot);
            if (stateSlot == keySlot)
                return HashOptions(ml, slot, seed).Fit(ml.Data.LoadFromEnumerable([new KeyTextRow { Text = state }]));
        }
        throw new InvalidOperationException("No hash seed puts the state in the slot of its key."); // 2^-64
    }

    private static ReadOnlyMemory<char>? ReadKeyValue(DataViewSchema.Column column, uint key)
    {
        if (key == 0 || column.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
            return null;
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        if (key > values.Length)
            return null;
        var value = values.GetItemOrDefault((int)key - 1);
        return value.IsEmpty ? null : value;
    }

    /// <summary>Reads the state a (loaded or fresh) state <c>HashingTransformer</c> holds for <paramref name="stateColumn"/>, or null if it holds none.</summary>
    public static string? ReadHashedState(ITransformer transformer, string stateColumn)
    {
        var probe = new OneRowView<ReadOnlyMemory<char>>(KeyTextColumn, TextDataViewType.Instance, "1".AsMemory());
        DataViewSchema schema;
        try
        {
            schema = transformer.GetOutputSchema(probe.Schema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
        if (schema.GetColumnOrNull(SlotColumn(stateColumn)) is not { } column)
            return null;
        var output = transformer.Transform(probe);
        using var cursor = output.GetRowCursor([output.Schema[column.Index]]);
        var getter = cursor.GetGetter<uint>(output.Schema[column.Index]);
        uint key = 0;
        if (!cursor.MoveNext())
            return null;
        getter(ref key);
        return ReadKeyValue(column, key)?.ToString(); // the string instance itself: ML.NET's text codec reads the whole value as one string
    }

    private sealed class KeyTextRow
    {
        [ColumnName(KeyTextColumn)]
        public string Text { get; set; } = "";
    }

    // An estimator whose transformer is made without the data (fitted on its own); its output schema is that of an estimator of the same shape.
    private sealed class Fitted(Func<ITransformer> make, IEstimator<ITransformer> shape) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input) => make();

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => shape.GetOutputSchema(inputSchema);
    }

    /// <summary>
    /// Whether <paramref name="transformer"/> is the state stage of unreleased development versions (a <c>ValueMapping</c> from the
    /// key to the state under <paramref name="stateColumn"/>, before the hash route): such files are refused, not read.
    /// </summary>
    public static bool IsUnreleasedValueMapping(ITransformer transformer, string stateColumn)
    {
        if (transformer is not ValueMappingTransformer)
            return false;
        try
        {
            return transformer.GetOutputSchema(new OneRowView<uint>(KeyColumn, NumberDataViewType.UInt32, Key).Schema).GetColumnOrNull(stateColumn) is not null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
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

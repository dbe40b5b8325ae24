using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Makemore.ML.Persistence;

namespace Makemore.ML.Inference;

/// <summary>
/// Where an NLL per character falls among reference NLLs, as a percentile: for a value x among n reference values,
/// <c>100 · (#{r &lt; x} + ½ · #{r = x}) / n</c> (the mid-rank percentile: ties count half, so a value equal to every
/// reference is 50, one below them all 0, one above them all 100). <c>ScoreWithCharacterModel</c>'s reference is the NLL
/// per character of every row its model was fitted on, scored by that model.
/// </summary>
internal sealed class NllPercentiles
{
    private const string Kind = "nll-percentiles";
    private const int Version = 1;
    private readonly double[] _sorted;

    public NllPercentiles(IEnumerable<double> reference)
    {
        _sorted = [.. reference];
        if (_sorted.Length == 0)
            throw new ArgumentException("A percentile needs at least one reference value.", nameof(reference));
        if (_sorted.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("Every reference NLL must be finite.", nameof(reference));
        Array.Sort(_sorted);
    }

    /// <summary>The reference values, ascending.</summary>
    public IReadOnlyList<double> Sorted => _sorted;

    /// <summary>The mid-rank percentile of <paramref name="nll"/>, 0–100 (NaN for NaN).</summary>
    public double Of(double nll)
    {
        if (double.IsNaN(nll))
            return double.NaN;
        int below = LowerBound(nll);
        int notAbove = nll == double.PositiveInfinity ? _sorted.Length : LowerBound(Math.BitIncrement(nll));
        return 100.0 * (below + 0.5 * (notAbove - below)) / _sorted.Length;
    }

    // The first index whose value is ≥ x.
    private int LowerBound(double x)
    {
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// <summary>The saved form (a state string, parsed once per loaded model).</summary>
    public string Encode() => ModelState.Remember(ModelState.Encode(Kind, Version, writer =>
    {
        writer.Write(_sorted.Length);
        foreach (double value in _sorted)
            writer.Write(value);
    }), this);

    /// <summary>The table a state string encodes, parsed once per string instance.</summary>
    public static NllPercentiles Get(ReadOnlyMemory<char> state) => ModelState.GetParsed(state, Read);

    private static NllPercentiles Read(string state) => ModelState.Decode(state, (kind, version, reader) =>
    {
        ModelState.Expect(kind, version, Kind, Version);
        int count = reader.ReadInt32();
        if (count < 1 || count > 100_000_000)
            throw new ModelFileDamagedException($"The model file is damaged: its percentile table claims {count} values.");
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = reader.ReadDouble();
        return new NllPercentiles(values);
    });
}

/// <summary>Input of <see cref="NllPercentileMapping"/>.</summary>
public sealed class NllPercentileInput
{
    /// <summary>The row's NLL per character.</summary>
    [ColumnName(NllPercentileMapping.NllColumn)]
    public double Nll { get; set; }

    /// <summary>The reference table's state.</summary>
    [ColumnName(NllPercentileMapping.TableColumn)]
    public ReadOnlyMemory<char> Table { get; set; }
}

/// <summary>Output of <see cref="NllPercentileMapping"/>.</summary>
public sealed class NllPercentileOutput
{
    /// <summary>The mid-rank percentile of the row's NLL among the reference NLLs, 0–100.</summary>
    [ColumnName(NllPercentileMapping.PercentileColumn)]
    public float Percentile { get; set; }
}

/// <summary>
/// The percentile of a row's NLL per character among the reference NLLs a model holds (see <c>NllPercentiles</c>).
/// Stateless; part of the saved-model contract.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class NllPercentileMapping : CustomMappingFactory<NllPercentileInput, NllPercentileOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "Makemore.NllPercentile.v1";

    internal const string NllColumn = StateChain.Prefix + "PercentileNll";
    internal const string TableColumn = StateChain.Prefix + "PercentileTable";
    internal const string PercentileColumn = StateChain.Prefix + "Percentile";

    /// <inheritdoc/>
    public override Action<NllPercentileInput, NllPercentileOutput> GetMapping() => static (input, output) =>
        output.Percentile = (float)NllPercentiles.Get(input.Table).Of(input.Nll);
}

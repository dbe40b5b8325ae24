using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.Persistence;

/// <summary>
/// What a façade computes, without the built-in chain that saves it: the columns it adds to an input schema and, per row,
/// their values. <see cref="FacadeTransformer"/> serves <c>Transform</c>, <c>GetOutputSchema</c> and
/// <c>GetRowToRowMapper</c> with it (one wrapped row instead of the chain's ~8 nested transforms), and keeps the chain for
/// saving; the chain and this must give the same schema and values, which the tests check.
/// </summary>
internal abstract class DirectMapping
{
    private static readonly ConcurrentDictionary<string, SchemaShape.Column[]> AddedShapes = new(); // see OutputShape

    /// <summary>The columns added after the input's, in order (a later column hides an earlier one of the same name).</summary>
    public abstract IReadOnlyList<(string Name, DataViewType Type)> AddedColumns { get; }

    /// <summary>The annotations of the <paramref name="added"/>-th added column (none by default).</summary>
    public virtual DataViewSchema.Annotations AnnotationsOf(int added) => DataViewSchema.Annotations.Empty;

    /// <summary>The input columns the added ones read, or null when the input schema cannot serve them (the chain then reports why).</summary>
    public abstract IReadOnlyList<DataViewSchema.Column>? Inputs(DataViewSchema inputSchema);

    /// <summary>Throws ML.NET's schema error (<see cref="Data.SchemaErrors"/>) naming the input column when <see cref="Inputs"/> cannot serve <paramref name="inputSchema"/>.</summary>
    public abstract void CheckInputs(DataViewSchema inputSchema);

    /// <summary>One getter per added column over <paramref name="input"/> (a row of the schema <see cref="Inputs"/> accepted, with those columns active).</summary>
    public abstract Delegate[] CreateGetters(DataViewRow input, IReadOnlyList<DataViewSchema.Column> inputs);

    /// <summary>
    /// An estimator's <c>GetOutputSchema</c>: the input shape with the <paramref name="added"/> columns (a later one replaces
    /// an earlier one of the same name; a shape shows only visible columns). The first time for given added columns it is
    /// <paramref name="throughChain"/> (the placeholder chain's own answer), whose shapes of those columns are kept; then
    /// those shapes go straight into the input's (<c>SchemaShape.Column</c> has no public constructor), without building
    /// a chain of ML.NET estimators for every <c>Fit</c>'s schema check.
    /// </summary>
    public static SchemaShape OutputShape(SchemaShape input, IReadOnlyList<(string Name, DataViewType Type)> added, Func<SchemaShape> throughChain)
    {
        string key = string.Join("\n", added.Select(a => $"{a.Name}\t{a.Type}"));
        if (!AddedShapes.TryGetValue(key, out var shapes))
        {
            var output = throughChain();
            AddedShapes[key] = [.. added.Select(a => a.Name).Distinct().Select(name => output.Where(c => c.Name == name).Select(c => (SchemaShape.Column?)c).LastOrDefault()
                ?? throw new InvalidOperationException($"The chain does not add '{name}'."))];
            return output;
        }
        var columns = input.ToDictionary(c => c.Name);
        foreach (var column in shapes)
            columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }

    /// <summary>The mapper for <paramref name="inputSchema"/>, or null when the schema cannot serve this mapping.</summary>
    public DirectRowMapper? MapperFor(DataViewSchema inputSchema) =>
        Inputs(inputSchema) is { } inputs ? new DirectRowMapper(this, inputSchema, inputs) : null;
}

/// <summary>A <see cref="DirectMapping"/> bound to an input schema: the input's columns and the added ones, in ML.NET's order.</summary>
internal sealed class DirectRowMapper : IRowToRowMapper
{
    private readonly DirectMapping _mapping;
    private readonly IReadOnlyList<DataViewSchema.Column> _inputs;
    private readonly int[] _sources;

    public DirectRowMapper(DirectMapping mapping, DataViewSchema inputSchema, IReadOnlyList<DataViewSchema.Column> inputs)
    {
        _mapping = mapping;
        _inputs = inputs;
        InputSchema = inputSchema;
        // ML.NET's order (its ColumnBindings): an added column that hides a column of the same name goes right after it,
        // any other at the end. A source is an input index, or ~k for the k-th added column.
        var sources = Enumerable.Range(0, inputSchema.Count).ToList();
        var names = inputSchema.Select(c => c.Name).ToList();
        for (int k = 0; k < mapping.AddedColumns.Count; k++)
        {
            string name = mapping.AddedColumns[k].Name;
            int at = names.LastIndexOf(name) + 1;
            if (at == 0)
                at = names.Count;
            sources.Insert(at, ~k);
            names.Insert(at, name);
        }
        _sources = [.. sources];
        var builder = new DataViewSchema.Builder();
        foreach (int source in _sources)
        {
            if (source >= 0)
                builder.AddColumn(inputSchema[source].Name, inputSchema[source].Type, inputSchema[source].Annotations);
            else
                builder.AddColumn(mapping.AddedColumns[~source].Name, mapping.AddedColumns[~source].Type, mapping.AnnotationsOf(~source));
        }
        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    /// <summary>Whether an output column is one this mapping adds (the rest are the input's, see <see cref="InputOf"/>).</summary>
    public bool IsAdded(DataViewSchema.Column column) => _sources[column.Index] < 0;

    /// <summary>The input column an output column passes through.</summary>
    public DataViewSchema.Column InputOf(DataViewSchema.Column column) => InputSchema[_sources[column.Index]];

    /// <summary>Which added column (0-based, in <see cref="DirectMapping.AddedColumns"/>) an output column is.</summary>
    public int AddedIndexOf(DataViewSchema.Column column) => ~_sources[column.Index];

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
        {
            if (IsAdded(column))
                needed.UnionWith(_inputs.Select(c => c.Index));
            else
                needed.Add(InputOf(column).Index);
        }
        return needed.Order().Select(i => InputSchema[i]);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new DirectRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    /// <summary>The added columns' getters over an input row.</summary>
    public Delegate[] CreateGetters(DataViewRow input) => _mapping.CreateGetters(input, _inputs);

    private sealed class DirectRow : DataViewRow
    {
        private readonly DirectRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private Delegate[]? _getters;

        public DirectRow(DirectRowMapper mapper, DataViewRow input, HashSet<int> active)
        {
            _mapper = mapper;
            _input = input;
            _active = active;
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            _mapper.IsAdded(column) ? _active.Contains(column.Index) : _input.IsColumnActive(_mapper.InputOf(column));

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            _mapper.IsAdded(column)
                ? Typed<TValue>(column, (_getters ??= _mapper.CreateGetters(_input))[_mapper.AddedIndexOf(column)])
                : _input.GetGetter<TValue>(_mapper.InputOf(column));

        private static ValueGetter<TValue> Typed<TValue>(DataViewSchema.Column column, Delegate getter) =>
            getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
    }
}

/// <summary>The view <c>Transform</c> returns on the direct route: each cursor of the input wrapped with the added columns.</summary>
internal sealed class DirectDataView : IDataView
{
    private readonly IDataView _input;
    private readonly DirectRowMapper _mapper;

    public DirectDataView(IDataView input, DirectRowMapper mapper)
    {
        _input = input;
        _mapper = mapper;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _mapper.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = columnsNeeded.ToList();
        return new Cursor(this, _input.GetRowCursor(_mapper.GetDependencies(active), rand), active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var active = columnsNeeded.ToList();
        return _input.GetRowCursorSet(_mapper.GetDependencies(active), n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c, active)).ToArray();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly DataViewRow _row;

        public Cursor(DirectDataView view, DataViewRowCursor input, IEnumerable<DataViewSchema.Column> active)
        {
            _input = input;
            _row = view._mapper.GetRow(input, active);
        }

        public override DataViewSchema Schema => _row.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>A view with a schema and no rows: what a façade's chain is fitted on when it is built after the data is gone.</summary>
internal sealed class EmptyView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(schema)];

    private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override bool MoveNext() => false;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            throw new InvalidOperationException("An empty view has no rows to read.");

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = default;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.Persistence;

/// <summary>
/// A view of one row and one column: the probe that reads a state out of a loaded state transformer, built without an
/// <see cref="MLContext"/> (reading a model file must not make a context of its own).
/// </summary>
/// <typeparam name="T">The column's representation type (<c>ReadOnlyMemory&lt;char&gt;</c> for text, <c>uint</c> for a U4 key).</typeparam>
internal sealed class OneRowView<T> : IDataView
{
    private readonly T _value;

    public OneRowView(string columnName, DataViewType type, T value)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(columnName, type);
        Schema = builder.ToSchema();
        _value = value;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => 1;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(OneRowView<T> view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position >= 0)
            {
                _position = 1; // past the only row
                return false;
            }
            _position = 0;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != 0 || typeof(TValue) != typeof(T))
                throw new InvalidOperationException($"Column {column.Name} is {typeof(T).Name}, not {typeof(TValue).Name}.");
            return (ref TValue value) => value = (TValue)(object)view._value!;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)Math.Max(0, _position), 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index == 0;
    }
}

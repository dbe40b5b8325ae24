using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// The rows of several views of one schema, one view after another (ML.NET's own row-appending view is internal).
/// Sequential cursors only; column getters follow the view the cursor is in.
/// </summary>
internal sealed class AppendedRows(IReadOnlyList<IDataView> sources) : IDataView
{
    public DataViewSchema Schema { get; } = sources[0].Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => sources.All(s => s.GetRowCount() is not null) ? sources.Sum(s => s.GetRowCount()!.Value) : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, sources, columnsNeeded.ToArray());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(AppendedRows view, IReadOnlyList<IDataView> sources, DataViewSchema.Column[] needed) : DataViewRowCursor
    {
        private int _source = -1;
        private DataViewRowCursor? _inner;
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => needed.Any(c => c.Index == column.Index);

        public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
        {
            // Each source's getter is fetched when the cursor enters it; this one calls whichever is current.
            ValueGetter<T>? current = null;
            int of = -2;
            return (ref T value) =>
            {
                if (of != _source)
                {
                    current = _inner!.GetGetter<T>(_inner.Schema[column.Index]);
                    of = _source;
                }
                current!(ref value);
            };
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool MoveNext()
        {
            while (true)
            {
                if (_inner is not null && _inner.MoveNext())
                {
                    _position++;
                    return true;
                }
                _inner?.Dispose();
                _inner = null;
                if (++_source >= sources.Count)
                    return false;
                var schema = sources[_source].Schema;
                _inner = sources[_source].GetRowCursor(needed.Select(c => schema[c.Index]));
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner?.Dispose();
            base.Dispose(disposing);
        }
    }
}

using Microsoft.ML;

namespace Makemore.ML.Data;

/// <summary>Reads a data view on the calling thread.</summary>
internal static class SequentialCursor
{
    /// <summary>
    /// One cursor over the rows in order, on the calling thread. <c>GetRowCursor</c> over a transform that computes an active
    /// column (ours all do) splits the rows across worker threads and consolidates them again; for our per-row work, far
    /// smaller than that hand-over, it made reading 23k training ids 3× slower. A cursor set of one is never split.
    /// </summary>
    public static DataViewRowCursor Open(IDataView data, IEnumerable<DataViewSchema.Column> columns)
    {
        var set = data.GetRowCursorSet(columns, n: 1);
        if (set.Length == 1)
            return set[0];
        foreach (var cursor in set)
            cursor.Dispose();
        return data.GetRowCursor(columns);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Tests.Support;

/// <summary>
/// A view that gives its source's rows under other row ids: <paramref name="rewrite"/> gets the
/// cursoring's number (0 for the first cursor made) and the source's id. For data that breaks
/// ML.NET's row id rules, which a well-behaved loader never does.
/// </summary>
internal sealed class RowIdView(IDataView source, Func<int, DataViewRowId, DataViewRowId> rewrite) : IDataView
{
    private int _cursorings;

    public bool CanShuffle => source.CanShuffle;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(source.GetRowCursor(columnsNeeded, rand), Interlocked.Increment(ref _cursorings) - 1, rewrite);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor source, int cursoring, Func<int, DataViewRowId, DataViewRowId> rewrite) : DataViewRowCursor
    {
        public override DataViewSchema Schema => source.Schema;

        public override long Position => source.Position;

        public override long Batch => source.Batch;

        public override bool MoveNext() => source.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter()
        {
            var sourceId = source.GetIdGetter();
            return (ref DataViewRowId id) =>
            {
                sourceId(ref id);
                id = rewrite(cursoring, id);
            };
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => source.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => source.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                source.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

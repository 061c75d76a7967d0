using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// An exact, deterministic split of a data view by row position: the held-out rows are spread
/// evenly over the data, <c>heldOut</c> of <c>rows</c>. ML.NET's <c>TrainTestSplit</c> draws each row
/// at random, which on a few dozen rows holds out anything from none to twice the share asked.
/// </summary>
internal static class RowPositionSplit
{
    /// <summary>The rows of <paramref name="source"/> kept (<paramref name="heldOut"/> false) or held out (true).</summary>
    public static IDataView Rows(IDataView source, long rows, long heldOut, bool held) => new View(source, rows, heldOut, held);

    // Row i is held out where ⌊(i + 1)·h / n⌋ passes an integer: exactly h of n, evenly spaced.
    private static bool IsHeldOut(long position, long rows, long heldOut) =>
        (position + 1) * heldOut / rows > position * heldOut / rows;

    private sealed class View(IDataView source, long rows, long heldOut, bool held) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => source.Schema;

        public long? GetRowCount() => held ? heldOut : rows - heldOut;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(source.GetRowCursor(columnsNeeded), rows, heldOut, held);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor(DataViewRowCursor inner, long rows, long heldOut, bool held) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => inner.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            while (inner.MoveNext())
            {
                if (IsHeldOut(inner.Position, rows, heldOut) == held)
                {
                    _position++;
                    return true;
                }
            }
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

using Microsoft.ML;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// The same rows as another view, under a view of its own: the featurizer keeps its output cache
/// per input view, so each timed pass over a new one is a first pass, as a one-pass reader
/// (scoring, evaluation) sees it. Its cursors are the source's own: no cost per row.
/// </summary>
internal sealed class FreshInput(IDataView source) : IDataView
{
    public bool CanShuffle => source.CanShuffle;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        source.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        source.GetRowCursorSet(columnsNeeded, n, rand);
}

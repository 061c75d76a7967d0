using Microsoft.ML;

namespace MLNet.Lstm.Data;

/// <summary>
/// The lazy result of <see cref="LstmAnomalyTransformer.Transform"/>. Each row is scored from
/// the state the rows before it left, so every cursor reads the source in row order from the
/// start, with an engine of its own restored to the end of the history: shuffled cursors come
/// back in row order, a cursor set has one cursor, and two cursors never share a state. A
/// cursor that does not ask for the scores passes the source through and makes no engine.
/// </summary>
internal sealed class LstmAnomalyDataView(IDataView source, AnomalySeriesBinding binding, LstmAnomalyTransformer transformer) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => binding.OutputSchema;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = binding.Active(columnsNeeded);
        bool score = active[binding.OutputColumnIndex];
        var engine = score ? transformer.CreateEngine() : null;
        try
        {
            return new LstmAnomalyCursor(source.GetRowCursor(binding.SourceColumns(active, score)), binding, engine, transformer);
        }
        catch
        {
            if (engine is not null)
            {
                transformer.ReleaseEngine(engine);
            }
            throw;
        }
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}

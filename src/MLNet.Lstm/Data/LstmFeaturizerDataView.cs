using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The lazy result of <see cref="LstmFeaturizerTransformer.Transform"/>: nothing runs until a
/// cursor pulls rows. A cursor that does not ask for the representation passes the source
/// through untouched, so counting rows or reading other columns never runs the LSTM.
/// </summary>
internal sealed class LstmFeaturizerDataView(IDataView source, SequenceInputBinding binding, SequenceBatchPool batches) : IDataView
{
    public bool CanShuffle => source.CanShuffle;

    public DataViewSchema Schema => binding.OutputSchema;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = new bool[binding.OutputSchema.Count];
        foreach (var column in columnsNeeded)
        {
            needed[column.Index] = true;
        }
        bool featurize = needed[binding.OutputColumnIndex];
        var sourceColumns = new List<DataViewSchema.Column>();
        for (int i = 0; i < binding.InputSchema.Count; i++)
        {
            if (needed[i] || (featurize && binding.IsInputColumn(i)))
            {
                sourceColumns.Add(source.Schema[i]);
            }
        }
        var cursor = source.GetRowCursor(sourceColumns, rand);
        return featurize
            ? new LstmFeaturizerCursor(cursor, binding, batches, i => needed[i])
            : new PassThroughCursor(cursor, binding.OutputSchema);
    }

    /// <summary>One cursor: the batches already run ONNX Runtime on every core.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}

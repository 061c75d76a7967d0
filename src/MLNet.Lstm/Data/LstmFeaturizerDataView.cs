using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// The lazy result of <see cref="LstmFeaturizerTransformer.Transform"/>: nothing runs until a
/// cursor pulls rows. A cursor that does not ask for the representation passes the source
/// through untouched, so counting rows or reading other columns never runs the LSTM. Once one
/// cursor has computed the representation of every row, later cursors read it from the
/// <see cref="OutputCache"/> instead of running the LSTM again. It knows its source and its
/// graph, so ML.NET's ONNX export can walk through it (MLNetInternals/LstmFeaturizerDataView.Onnx.cs).
/// </summary>
internal sealed partial class LstmFeaturizerDataView(IDataView source, SequenceInputBinding binding, SequenceBatchPool batches, OutputCache cache,
    Func<Onnx.OnnxExportGraph> exportGraph) : IDataView
{
    /// <summary>The view the featurizer reads.</summary>
    public IDataView Source => source;

    internal SequenceInputBinding Binding => binding;

    /// <summary>The featurizer's graph as ML.NET's ONNX export takes it.</summary>
    internal Onnx.OnnxExportGraph ExportGraph() => exportGraph();

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
        var cached = featurize ? cache.Complete : null;
        if (featurize)
        {
            batches.ThrowIfDisposed();
        }
        bool compute = featurize && cached is null;
        var sourceColumns = new List<DataViewSchema.Column>();
        for (int i = 0; i < binding.InputSchema.Count; i++)
        {
            if (needed[i] || (compute && binding.IsInputColumn(i)))
            {
                sourceColumns.Add(source.Schema[i]);
            }
        }
        var cursor = source.GetRowCursor(sourceColumns, rand);
        if (cached is not null)
        {
            return new CachedOutputCursor(cursor, binding, cached);
        }
        if (!compute)
        {
            return new PassThroughCursor(cursor, binding.OutputSchema);
        }
        try
        {
            return new LstmFeaturizerCursor(cursor, binding, batches, i => needed[i], cache);
        }
        catch
        {
            // E.g. the transformer was disposed since the check above: the source cursor is ours to close.
            cursor.Dispose();
            throw;
        }
    }

    /// <summary>One cursor: the batches already run ONNX Runtime on every core.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}

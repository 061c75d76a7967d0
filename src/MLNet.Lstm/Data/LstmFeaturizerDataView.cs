using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// The lazy result of <see cref="LstmFeaturizerTransformer.Transform"/>: nothing runs until a
/// cursor pulls rows. A cursor that does not ask for the representation passes the source
/// through untouched, so counting rows or reading other columns never runs the LSTM. Once a
/// second pass has computed the representation of every row, later cursors read it from the
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
        var active = binding.Active(columnsNeeded);
        bool featurize = active[binding.OutputColumnIndex];
        if (featurize)
        {
            batches.ThrowIfDisposed();
        }
        var cached = featurize ? Cached(shuffled: rand is not null && source.CanShuffle) : null;
        bool compute = featurize && cached is null;
        var cursor = source.GetRowCursor(binding.SourceColumns(active, compute), rand);
        if (!featurize)
        {
            return LstmFeaturizerCursor.PassThrough(cursor, binding);
        }
        if (cached is not null)
        {
            return LstmFeaturizerCursor.Cached(cursor, binding, cached);
        }
        try
        {
            return LstmFeaturizerCursor.Computed(cursor, binding, batches, active, cache);
        }
        catch
        {
            // E.g. the transformer was disposed since the check above: the source cursor is ours to close.
            cursor.Dispose();
            throw;
        }
    }

    /// <summary>The complete cache, if a shuffled cursor can find its rows there by id.</summary>
    private CachedOutput? Cached(bool shuffled)
    {
        var cached = cache.Complete;
        if (cached is not null && shuffled && !cached.HasUniqueIds())
        {
            cache.RefuseDuplicateIds();
            return null;
        }
        return cached;
    }

    /// <summary>One cursor: the batches already run ONNX Runtime on every core.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}

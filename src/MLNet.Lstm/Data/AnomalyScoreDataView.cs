using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The lazy result of <see cref="LstmAnomalyPredictionTransformer.Transform"/>: the featurizer's
/// view (<paramref name="featurized"/>, whose last column is the next-step error) with that
/// column replaced by Score and PredictedLabel. A cursor that reads neither never asks the
/// featurizer for the error, so the LSTM does not run.
/// </summary>
internal sealed class AnomalyScoreDataView(IDataView featurized, AnomalyScoreBinding binding) : IDataView
{
    public bool CanShuffle => featurized.CanShuffle;

    public DataViewSchema Schema => binding.OutputSchema;

    public long? GetRowCount() => featurized.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var columns = columnsNeeded.ToList();
        var cursor = featurized.GetRowCursor(binding.FeaturizerColumns(columns, featurized.Schema), rand);
        return new Cursor(cursor, binding, binding.ActiveComputed(columns));
    }

    /// <summary>One cursor: the featurizer's batches already run ONNX Runtime on every core.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The featurizer's cursor seen through the output schema.</summary>
    private sealed class Cursor(DataViewRowCursor featurized, AnomalyScoreBinding binding, bool[] activeComputed) : DataViewRowCursor
    {
        public override DataViewSchema Schema => binding.OutputSchema;

        public override long Position => featurized.Position;

        public override long Batch => featurized.Batch;

        public override bool MoveNext() => featurized.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => featurized.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => binding.IsActive(featurized, column, activeComputed);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            binding.Getter<TValue>(featurized, column, activeComputed, "cursor");

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                featurized.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

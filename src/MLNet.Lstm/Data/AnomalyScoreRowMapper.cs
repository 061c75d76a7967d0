using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The one-row path that <c>PredictionEngine</c> takes: the featurizer's row mapper, its
/// next-step error seen as Score and PredictedLabel.
/// </summary>
internal sealed class AnomalyScoreRowMapper(IRowToRowMapper featurizer, AnomalyScoreBinding binding) : IRowToRowMapper
{
    public DataViewSchema InputSchema => featurizer.InputSchema;

    public DataViewSchema OutputSchema => binding.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        featurizer.GetDependencies(binding.FeaturizerColumns(dependingColumns, featurizer.OutputSchema));

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var columns = activeColumns.ToList();
        return new MappedRow(featurizer.GetRow(input, binding.FeaturizerColumns(columns, featurizer.OutputSchema)), binding, binding.ActiveComputed(columns));
    }

    private sealed class MappedRow(DataViewRow featurized, AnomalyScoreBinding binding, bool[] activeComputed) : DataViewRow
    {
        public override DataViewSchema Schema => binding.OutputSchema;

        public override long Position => featurized.Position;

        public override long Batch => featurized.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => featurized.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => binding.IsActive(featurized, column, activeComputed);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            binding.Getter<TValue>(featurized, column, activeComputed, "row");

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

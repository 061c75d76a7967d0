using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The anomaly trainer's output schema over one input schema: the input columns, then Score
/// and PredictedLabel, both computed from the featurizer's next-step error, which the featurizer
/// appends right after the same input columns (so an input column keeps its index in all three schemas).
/// </summary>
internal sealed class AnomalyScoreBinding
{
    public AnomalyScoreBinding(DataViewSchema inputSchema, NextStepErrorCalibration calibration, float threshold)
    {
        InputSchema = inputSchema;
        Calibration = calibration;
        Threshold = threshold;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(LstmDefaults.ScoreColumnName, NumberDataViewType.Single);
        builder.AddColumn(LstmDefaults.PredictedLabelColumnName, BooleanDataViewType.Instance);
        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public NextStepErrorCalibration Calibration { get; }

    public float Threshold { get; }

    public int ScoreIndex => InputSchema.Count;

    /// <summary>The next-step error's index in the featurizer's output schema.</summary>
    public int ErrorIndex => InputSchema.Count;

    public bool IsComputed(int outputIndex) => outputIndex >= InputSchema.Count;

    /// <summary>Which of Score and PredictedLabel <paramref name="columns"/> names: [0] Score, [1] PredictedLabel.</summary>
    public bool[] ActiveComputed(IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[2];
        foreach (var column in columns.Where(c => IsComputed(c.Index)))
        {
            active[column.Index - ScoreIndex] = true;
        }
        return active;
    }

    /// <summary>The featurizer's output columns that a reader of <paramref name="columns"/> (of <see cref="OutputSchema"/>) needs.</summary>
    public List<DataViewSchema.Column> FeaturizerColumns(IEnumerable<DataViewSchema.Column> columns, DataViewSchema featurizerSchema)
    {
        var needed = new List<DataViewSchema.Column>();
        bool error = false;
        foreach (var column in columns)
        {
            if (!IsComputed(column.Index))
            {
                needed.Add(featurizerSchema[column.Index]);
            }
            else if (!error)
            {
                needed.Add(featurizerSchema[ErrorIndex]);
                error = true;
            }
        }
        return needed;
    }

    /// <summary>Whether output column <paramref name="column"/> is active, given which computed ones are (<see cref="ActiveComputed"/>).</summary>
    public bool IsActive(DataViewRow featurized, DataViewSchema.Column column, bool[] activeComputed) => IsComputed(column.Index)
        ? activeComputed[column.Index - ScoreIndex]
        : featurized.IsColumnActive(featurized.Schema[column.Index]);

    /// <summary>
    /// The getter of output column <paramref name="column"/> over <paramref name="featurized"/>, a
    /// row of the featurizer's output: input columns as they are, Score and PredictedLabel from
    /// its next-step error. For the cursor and the row mapper alike.
    /// </summary>
    public ValueGetter<TValue> Getter<TValue>(DataViewRow featurized, DataViewSchema.Column column, bool[] activeComputed, string where)
    {
        if (!IsComputed(column.Index))
        {
            return featurized.GetGetter<TValue>(featurized.Schema[column.Index]);
        }
        if (!activeComputed[column.Index - ScoreIndex])
        {
            throw LstmThrow.ColumnNotActive(column.Name, where);
        }
        var errorGetter = featurized.GetGetter<VBuffer<float>>(featurized.Schema[ErrorIndex]);
        VBuffer<float> error = default;
        float Score()
        {
            errorGetter(ref error);
            return Calibration.Score(error.GetValues()[0]);
        }
        Delegate getter = column.Index == ScoreIndex
            ? (ValueGetter<float>)((ref float score) => score = Score())
            : (ValueGetter<bool>)((ref bool anomaly) => anomaly = Score() > Threshold);
        return getter as ValueGetter<TValue> ?? throw LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name);
    }
}

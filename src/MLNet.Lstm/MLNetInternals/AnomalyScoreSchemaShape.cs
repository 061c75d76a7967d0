using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>
/// The anomaly trainer's schema shape: the featurizer's checks of the sequence column, then
/// Score and PredictedLabel (the <see cref="SchemaShape.Column"/> constructor is internal to ML.NET).
/// </summary>
internal static class AnomalyScoreSchemaShape
{
    public static SchemaShape Append(SchemaShape inputSchema, LstmFeaturizerOptions featurizer, int inputSize)
    {
        LstmSchemaShapes.AppendFeatures(inputSchema, featurizer, inputSize);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[LstmDefaults.ScoreColumnName] = new SchemaShape.Column(LstmDefaults.ScoreColumnName,
            SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[LstmDefaults.PredictedLabelColumnName] = new SchemaShape.Column(LstmDefaults.PredictedLabelColumnName,
            SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false);
        return new SchemaShape(columns.Values);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Lstm.Training;

/// <summary>
/// Measures the standardization of a trained model's <see cref="LstmRepresentation.LastMeanMax"/>
/// features (<see cref="LstmWeights.FeatureOffset"/>, <see cref="LstmWeights.FeatureScale"/>): the
/// featurizer runs the model over the training rows, in fp32, and each feature's mean and
/// target / max(standard deviation, <see cref="LstmDefaults.FeatureDeviationFloor"/>) are what it then applies.
/// MiniRocket's ridge classifier reads its features so; a trainer after the featurizer then
/// weighs the LSTM's values, the branch's and the kernel proportions alike. The target is
/// <see cref="LstmTrainingOptions.FeatureDeviation"/>, by default <see cref="LstmDefaults.FeatureVectorDeviation"/> / √D,
/// because SDCA takes its regularization from the row count alone and the features' scale then sets it.
/// </summary>
internal static class FeatureStandardization
{
    public static (float[] Offset, float[] Scale) Measure(IHostEnvironment env, LstmModel model, IDataView rows, LstmFeaturizerOptions options, double? deviationOption)
    {
        var lastMeanMax = options.Validated();
        lastMeanMax.Representation = LstmRepresentation.LastMeanMax;
        lastMeanMax.Precision = LstmPrecision.Float32;
        using var transformer = new LstmFeaturizerTransformer(env, model, lastMeanMax);
        var features = transformer.Transform(rows);
        var column = features.Schema[lastMeanMax.OutputColumnName];
        int size = column.Type.GetValueCount();
        var sum = new double[size];
        var squares = new double[size];
        long count = 0;
        using (var cursor = features.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                var values = buffer.GetValues();
                for (int i = 0; i < values.Length; i++)
                {
                    sum[i] += values[i];
                    squares[i] += (double)values[i] * values[i];
                }
                count++;
            }
        }
        double target = deviationOption ?? LstmDefaults.FeatureVectorDeviation / Math.Sqrt(size);
        var offset = new float[size];
        var scale = new float[size];
        for (int i = 0; i < size; i++)
        {
            double mean = sum[i] / count;
            double deviation = Math.Sqrt(Math.Max(0, squares[i] / count - mean * mean));
            offset[i] = (float)mean;
            scale[i] = (float)(target / Math.Max(deviation, LstmDefaults.FeatureDeviationFloor));
        }
        return (offset, scale);
    }
}

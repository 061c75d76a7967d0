using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>Mean squared error of the head's outputs against a Single or known-size vector label.</summary>
internal sealed class RegressionObjective : PooledHeadObjective
{
    public static readonly RegressionObjective Instance = new();

    public override LstmObjective Kind => LstmObjective.Regression;

    public override string LabelTypes => "Single or a known-size vector of Single";

    public override bool AcceptsLabel(DataViewType type) =>
        type == NumberDataViewType.Single || type is VectorDataViewType { ItemType: var item, IsKnownSize: true } && item == NumberDataViewType.Single;

    public override int OutputSize(DataViewType? label, int inputSize, int steps) => label is VectorDataViewType vector ? vector.Size : 1;

    public override Action LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, TrainingSet set)
    {
        if (column.Type is VectorDataViewType { Size: var size })
        {
            var vector = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            return () =>
            {
                vector(ref buffer);
                var target = new float[size];
                buffer.CopyTo(target);
                RequireFinite(target, cursor.Position, column.Name);
                set.Targets.Add(target);
            };
        }
        var scalar = cursor.GetGetter<float>(column);
        float number = 0;
        return () =>
        {
            scalar(ref number);
            float[] target = [number];
            RequireFinite(target, cursor.Position, column.Name);
            set.Targets.Add(target);
        };
    }

    // A NaN label makes every gradient NaN from the first step it is drawn in; refuse it with its row.
    private static void RequireFinite(float[] target, long row, string column)
    {
        int index = FiniteValues.FirstNonFinite(target);
        if (index >= 0)
        {
            throw LstmThrow.LabelNotFinite(row, column, target[index]);
        }
    }

    protected override double OutputLoss(TrainingBatch batch, Span<float> outputs, Span<float> dOutputs, int members)
    {
        int size = outputs.Length / (batch.Count * members);
        for (int i = 0; i < batch.Count * members; i++)
        {
            // [rows, members × C] is [rows × members, C]: each member predicts its row's target.
            TensorPrimitives.Subtract(outputs.Slice(i * size, size), batch.Targets.AsSpan(i / members * size, size), dOutputs.Slice(i * size, size));
        }
        double loss = TensorPrimitives.Dot(dOutputs, dOutputs) / (double)outputs.Length;
        TensorPrimitives.Multiply(dOutputs, 2f / outputs.Length, dOutputs);
        return loss;
    }
}

using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>Cross-entropy (mean over the batch) of the head's logits against a key-typed or Boolean label.</summary>
internal sealed class ClassificationObjective : PooledHeadObjective
{
    public static readonly ClassificationObjective Instance = new();

    public override LstmObjective Kind => LstmObjective.Classification;

    public override string LabelTypes => "a key type (MapValueToKey) or Boolean";

    public override bool AcceptsLabel(DataViewType type) => type is KeyDataViewType { Count: > 0 } || type == BooleanDataViewType.Instance;

    public override int OutputSize(DataViewType? label, int inputSize, int steps) => label is KeyDataViewType key ? checked((int)key.Count) : 2;

    public override Action LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, TrainingSet set)
    {
        if (column.Type is KeyDataViewType)
        {
            var getter = cursor.GetGetter<uint>(column);
            uint key = 0;
            return () =>
            {
                getter(ref key);
                set.Classes.Add(key > 0 ? (int)key - 1 : throw LstmThrow.LabelMissingValue(cursor.Position, column.Name));
            };
        }
        var flag = cursor.GetGetter<bool>(column);
        bool value = false;
        return () =>
        {
            flag(ref value);
            set.Classes.Add(value ? 1 : 0);
        };
    }

    public override void CheckLabels(TrainingSet set, DataViewSchema.Column label)
    {
        int first = set.Classes[0];
        if (set.Classes.TrueForAll(c => c == first))
        {
            throw LstmThrow.OneClass(label.Name, ClassName(label, first), set.Count);
        }
    }

    /// <summary>The class as the user wrote it: the key's value (MapValueToKey keeps them), true/false, else the key.</summary>
    private static string ClassName(DataViewSchema.Column label, int index)
    {
        if (label.Type is not KeyDataViewType)
        {
            return index == 1 ? "true" : "false";
        }
        if (label.HasKeyValues())
        {
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            label.GetKeyValues(ref names);
            if (index < names.Length)
            {
                return names.GetItemOrDefault(index).ToString();
            }
        }
        return $"key {index + 1}";
    }

    protected override double OutputLoss(TrainingBatch batch, Span<float> outputs, Span<float> dOutputs, int members)
    {
        // [rows, members × C] is [rows × members, C]: one prediction per member and row.
        int rows = batch.Count * members, classes = outputs.Length / rows;
        double loss = 0;
        for (int n = 0; n < rows; n++)
        {
            var row = outputs.Slice(n * classes, classes);
            float max = TensorPrimitives.Max(row);
            var grad = dOutputs.Slice(n * classes, classes);
            TensorPrimitives.Subtract(row, max, grad);
            TensorPrimitives.Exp(grad, grad);
            float sum = TensorPrimitives.Sum(grad);
            int label = batch.Classes[n / members];
            loss += Math.Log(sum) - (row[label] - max);
            TensorPrimitives.Divide(grad, sum * rows, grad);
            grad[label] -= 1f / rows;
        }
        return loss / rows;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Data;

namespace MLNet.Lstm.Training;

/// <summary>
/// The training rows read into memory once: each sequence time-major [T, F] with its label,
/// and how to cut them into <see cref="TrainingBatch"/>es of one length.
/// </summary>
internal sealed class TrainingSet
{
    private readonly List<float[]> _sequences = [];
    private readonly List<int> _classes = [];
    private readonly List<float[]> _targets = [];

    private TrainingSet(int inputSize, int outputSize)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    public int InputSize { get; }

    /// <summary>Classes (classification), label values (regression) or F (next step).</summary>
    public int OutputSize { get; }

    public int Count => _sequences.Count;

    public int Steps(int row) => _sequences[row].Length / InputSize;

    public static TrainingSet Read(IDataView data, LstmFeaturizerOptions featurizer, LstmTrainingOptions training, int inputSize)
    {
        var binding = SequenceInputBinding.Create(data.Schema, featurizer, inputSize);
        var label = training.Objective == LstmObjective.NextStep ? (DataViewSchema.Column?)null : LabelColumn(data.Schema, training);
        int outputSize = training.Objective switch
        {
            LstmObjective.NextStep => inputSize,
            LstmObjective.Classification => label!.Value.Type is KeyDataViewType key ? checked((int)key.Count) : 2,
            _ => label!.Value.Type is VectorDataViewType vector ? vector.Size : 1,
        };
        var set = new TrainingSet(inputSize, outputSize);
        var columns = binding.ColumnIndices.Select(i => data.Schema[i]).ToList();
        if (binding.LengthColumnIndex is int lengthIndex)
        {
            columns.Add(data.Schema[lengthIndex]);
        }
        if (label is { } labelColumn)
        {
            columns.Add(labelColumn);
        }
        using var cursor = data.GetRowCursor(columns);
        var reader = binding.CreateReader(cursor);
        var sink = new SequenceList(set._sequences, inputSize);
        var readLabel = label is { } column ? LabelReader(cursor, column, training.Objective, set) : null;
        while (cursor.MoveNext())
        {
            reader.ReadInto(sink);
            readLabel?.Invoke();
        }
        if (set.Count == 0)
        {
            throw new InvalidOperationException("LSTM training: the data holds no rows.");
        }
        return set;
    }

    /// <summary>
    /// The given rows cut into batches of <paramref name="batchSize"/>, in order; a batch whose rows
    /// differ in length is split into one group per length (each a gradient step of its own).
    /// </summary>
    public IEnumerable<int[]> Batches(IReadOnlyList<int> rows, int batchSize)
    {
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            int end = Math.Min(start + batchSize, rows.Count);
            foreach (var group in rows.Skip(start).Take(end - start).GroupBy(Steps))
            {
                yield return [.. group];
            }
        }
    }

    /// <summary>The rows (all of one length) as one time-major batch.</summary>
    public TrainingBatch Batch(ReadOnlySpan<int> rows)
    {
        int steps = Steps(rows[0]), n = rows.Length, f = InputSize;
        var batch = new TrainingBatch
        {
            Count = n,
            Steps = steps,
            Inputs = new float[steps * n * f],
            Classes = new int[n],
            Targets = new float[n * OutputSize],
        };
        for (int r = 0; r < n; r++)
        {
            var sequence = _sequences[rows[r]];
            for (int t = 0; t < steps; t++)
            {
                sequence.AsSpan(t * f, f).CopyTo(batch.Inputs.AsSpan((t * n + r) * f));
            }
            if (_classes.Count > 0)
            {
                batch.Classes[r] = _classes[rows[r]];
            }
            if (_targets.Count > 0)
            {
                _targets[rows[r]].CopyTo(batch.Targets, r * OutputSize);
            }
        }
        return batch;
    }

    private static DataViewSchema.Column LabelColumn(DataViewSchema schema, LstmTrainingOptions training)
    {
        string name = training.LabelColumnName ?? throw LstmThrow.LabelMissing(training.Objective);
        var column = schema.GetColumnOrNull(name) ?? throw LstmThrow.LabelColumnNotFound(name);
        bool valid = training.Objective == LstmObjective.Classification
            ? column.Type is KeyDataViewType { Count: > 0 } || column.Type == BooleanDataViewType.Instance
            : column.Type == NumberDataViewType.Single || column.Type is VectorDataViewType { ItemType: var item, IsKnownSize: true } && item == NumberDataViewType.Single;
        if (!valid)
        {
            throw LstmThrow.LabelType(name, training.Objective, column.Type.ToString() ?? column.Type.RawType.Name);
        }
        return column;
    }

    private static Action LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, LstmObjective objective, TrainingSet set)
    {
        if (objective == LstmObjective.Classification)
        {
            if (column.Type is KeyDataViewType)
            {
                var getter = cursor.GetGetter<uint>(column);
                uint key = 0;
                return () =>
                {
                    getter(ref key);
                    set._classes.Add(key > 0 ? (int)key - 1 : throw LstmThrow.LabelMissingValue(cursor.Position, column.Name));
                };
            }
            var flag = cursor.GetGetter<bool>(column);
            bool value = false;
            return () =>
            {
                flag(ref value);
                set._classes.Add(value ? 1 : 0);
            };
        }
        if (column.Type is VectorDataViewType)
        {
            var vector = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            return () =>
            {
                vector(ref buffer);
                var target = new float[set.OutputSize];
                buffer.CopyTo(target);
                set._targets.Add(target);
            };
        }
        var scalar = cursor.GetGetter<float>(column);
        float number = 0;
        return () =>
        {
            scalar(ref number);
            set._targets.Add([number]);
        };
    }

    /// <summary>Keeps every sequence read as its own array.</summary>
    private sealed class SequenceList(List<float[]> sequences, int inputSize) : ISequenceSink
    {
        public Span<float> Add(int steps)
        {
            var sequence = new float[steps * inputSize];
            sequences.Add(sequence);
            return sequence;
        }

        public void MarkLastMissing() => throw new InvalidOperationException(
            $"LSTM training: row {sequences.Count - 1} holds NaN or infinity; replace missing values before training (e.g. ReplaceMissingValues).");
    }
}

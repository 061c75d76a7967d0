using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Data;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Training;

/// <summary>
/// The training rows read into memory once: each sequence time-major [T, F] with its label,
/// the input preprocessing learned from them and applied to them, and how to cut them into
/// <see cref="TrainingBatch"/>es of one length.
/// </summary>
internal sealed class TrainingSet
{
    private readonly List<float[]> _sequences = [];
    private List<float[]>? _convSequences;

    private TrainingSet(int inputSize, DataViewType? labelType)
    {
        InputSize = inputSize;
        LabelType = labelType;
    }

    public int InputSize { get; }

    /// <summary>The label column's type; null when the objective reads no label.</summary>
    public DataViewType? LabelType { get; }

    /// <summary>
    /// Values the head outputs per row (the objective's <see cref="TrainingObjective.OutputSize"/>):
    /// set by the trainer once it knows the steps the LSTM reads, before any <see cref="Batch"/>.
    /// </summary>
    public int OutputSize { get; set; }

    public int Count => _sequences.Count;

    /// <summary>Classification: each row's class index.</summary>
    public List<int> Classes { get; } = [];

    /// <summary>Regression: each row's target values.</summary>
    public List<float[]> Targets { get; } = [];

    public int Steps(int row) => _sequences[row].Length / InputSize;

    /// <summary>Steps the convolutional branch reads of a row, after <see cref="Preprocess"/>; 0 when it reads the LSTM's steps.</summary>
    public int ConvSteps(int row) => _convSequences is null ? 0 : _convSequences[row].Length / InputSize;

    /// <summary>Reads every row of <paramref name="data"/>: its sequence through <paramref name="binding"/>, and its label when the objective needs one.</summary>
    public static TrainingSet Read(IDataView data, SequenceInputBinding binding, TrainingObjective objective, string? labelColumnName)
    {
        int inputSize = binding.InputSize;
        var label = objective.NeedsLabel ? LabelColumn(data.Schema, labelColumnName, objective) : (DataViewSchema.Column?)null;
        var set = new TrainingSet(inputSize, label?.Type);
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
        var readLabel = label is { } column ? objective.LabelReader(cursor, column, set) : null;
        while (cursor.MoveNext())
        {
            reader.ReadInto(sink);
            readLabel?.Invoke();
        }
        if (set.Count == 0)
        {
            throw LstmThrow.TrainingDataEmpty();
        }
        if (objective.NeedsOneLength)
        {
            set.RequireOneLength(objective, binding.ColumnNames);
        }
        if (label is { } read)
        {
            objective.CheckLabels(set, read);
        }
        return set;
    }

    /// <summary>Each feature's mean over every step of every row, and 1 / its standard deviation (1 for a constant feature).</summary>
    public (float[] Offset, float[] Scale) Standardization()
    {
        int f = InputSize;
        var sum = new double[f];
        var squares = new double[f];
        long steps = 0;
        foreach (var sequence in _sequences)
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                sum[i % f] += sequence[i];
                squares[i % f] += (double)sequence[i] * sequence[i];
            }
            steps += sequence.Length / f;
        }
        var offset = new float[f];
        var scale = new float[f];
        for (int c = 0; c < f; c++)
        {
            double mean = sum[c] / steps;
            double std = Math.Sqrt(Math.Max(squares[c] / steps - mean * mean, 0));
            offset[c] = (float)mean;
            scale[c] = std > 1e-6 * Math.Max(1, Math.Abs(mean)) ? (float)(1 / std) : 1f;
        }
        return (offset, scale);
    }

    /// <summary>Steps the LSTM reads of the first row, its steps averaged by <paramref name="poolingStride"/> (the last window over the steps it holds).</summary>
    public int PooledSteps(int poolingStride) => PooledLength(Steps(0), poolingStride);

    /// <summary>Steps the median row reaches the network with, its steps averaged by <paramref name="poolingStride"/>.</summary>
    public int MedianPooledSteps(int poolingStride) => PooledLength(MedianSteps(), poolingStride);

    /// <summary>Steps the longest row reaches the network with, its steps averaged by <paramref name="poolingStride"/>.</summary>
    public int LongestPooledSteps(int poolingStride)
    {
        int longest = 0;
        for (int row = 0; row < Count; row++)
        {
            longest = Math.Max(longest, Steps(row));
        }
        return PooledLength(longest, poolingStride);
    }

    private void RequireOneLength(TrainingObjective objective, string[] columns)
    {
        int expected = Steps(0);
        for (int row = 1; row < Count; row++)
        {
            if (Steps(row) != expected)
            {
                throw LstmThrow.ObjectiveNeedsOneLength(objective.Kind, string.Join("', '", columns), row, expected, Steps(row));
            }
        }
    }

    /// <summary>The median number of steps over the rows.</summary>
    public int MedianSteps()
    {
        var steps = new int[Count];
        for (int row = 0; row < steps.Length; row++)
        {
            steps[row] = Steps(row);
        }
        Array.Sort(steps);
        return steps[steps.Length / 2];
    }

    /// <summary>
    /// Rewrites every sequence as the LSTM of <paramref name="weights"/> reads it: (x − offset) · scale,
    /// then the mean of every PoolingStride steps (the last window over the steps it holds), as the
    /// ONNX graph's Sub, Mul and AveragePool(ceil_mode) nodes compute it. A convolutional branch
    /// pooled by another stride gets its own copy, pooled by <see cref="LstmWeights.ConvPoolingStride"/>.
    /// </summary>
    public void Preprocess(LstmWeights weights)
    {
        int f = InputSize, stride = weights.PoolingStride, convStride = weights.ConvPoolingStride;
        _convSequences = weights.ConvLayerCount > 0 && convStride != stride ? new List<float[]>(_sequences.Count) : null;
        for (int row = 0; row < _sequences.Count; row++)
        {
            var sequence = _sequences[row];
            Scale(sequence, weights);
            _convSequences?.Add(convStride > 1 ? Pool(sequence, f, convStride) : sequence);
            if (stride > 1)
            {
                _sequences[row] = Pool(sequence, f, stride);
            }
        }
    }

    /// <summary>Row <paramref name="row"/> scaled as <paramref name="weights"/> scale it and not pooled, as a copy: what the kernel banks read. Call it before <see cref="Preprocess"/>.</summary>
    public float[] ScaledCopy(int row, LstmWeights weights)
    {
        var copy = (float[])_sequences[row].Clone();
        Scale(copy, weights);
        return copy;
    }

    /// <summary>Steps of the shortest row.</summary>
    public int MinSteps()
    {
        int min = int.MaxValue;
        for (int row = 0; row < Count; row++)
        {
            min = Math.Min(min, Steps(row));
        }
        return min;
    }

    /// <summary>(x − offset) · scale per feature, in place, as the graph's Sub and Mul nodes.</summary>
    private void Scale(float[] sequence, LstmWeights weights)
    {
        int f = InputSize;
        if (weights.InputOffset is { } offset)
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                sequence[i] -= offset[i % f];
            }
        }
        if (weights.InputScale is { } scale)
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                sequence[i] *= scale[i % f];
            }
        }
    }

    /// <summary>Steps left after averaging every <paramref name="stride"/> steps, a last partial window counting as one.</summary>
    private static int PooledLength(int steps, int stride) => (int)(((long)steps + stride - 1) / stride);

    private static float[] Pool(float[] sequence, int features, int stride)
    {
        int steps = sequence.Length / features, pooled = PooledLength(steps, stride);
        var result = new float[pooled * features];
        for (int p = 0; p < pooled; p++)
        {
            int first = p * stride, count = Math.Min(stride, steps - first);
            for (int c = 0; c < features; c++)
            {
                float sum = 0;
                for (int t = first; t < first + count; t++)
                {
                    sum += sequence[t * features + c];
                }
                result[p * features + c] = sum / count;
            }
        }
        return result;
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
            foreach (var group in rows.Skip(start).Take(end - start).GroupBy(row => (Steps(row), ConvSteps(row))))
            {
                yield return [.. group];
            }
        }
    }

    /// <summary>The rows (all of one length, for the LSTM and for the branch) as one time-major batch.</summary>
    public TrainingBatch Batch(ReadOnlySpan<int> rows)
    {
        int steps = Steps(rows[0]), convSteps = ConvSteps(rows[0]), n = rows.Length, f = InputSize;
        var batch = new TrainingBatch
        {
            Count = n,
            Steps = steps,
            Inputs = new float[steps * n * f],
            ConvSteps = convSteps,
            ConvInputs = new float[checked(convSteps * n * f)],
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
            _convSequences?[rows[r]].CopyTo(batch.ConvInputs, r * convSteps * f);
            if (Classes.Count > 0)
            {
                batch.Classes[r] = Classes[rows[r]];
            }
            if (Targets.Count > 0)
            {
                Targets[rows[r]].CopyTo(batch.Targets, r * OutputSize);
            }
        }
        return batch;
    }

    private static DataViewSchema.Column LabelColumn(DataViewSchema schema, string? labelColumnName, TrainingObjective objective)
    {
        string name = labelColumnName ?? throw LstmThrow.LabelMissing(objective.Kind);
        var column = schema.GetColumnOrNull(name) ?? throw LstmThrow.LabelColumnNotFound(name);
        if (!objective.AcceptsLabel(column.Type))
        {
            throw LstmThrow.LabelType(name, objective.Kind, objective.LabelTypes, column.Type.ToString() ?? column.Type.RawType.Name);
        }
        return column;
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

        public void MarkLastMissing() => throw LstmThrow.TrainingRowNotFinite(sequences.Count - 1);
    }
}

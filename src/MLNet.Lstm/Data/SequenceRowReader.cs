using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Copies the current row's sequence into a batch's next row or the training set,
/// time-major [T, F]: straight from the one sequence column, or interleaved from the F
/// feature columns; cut to the length column's value when there is one. Checks the row's
/// length, and marks a row holding NaN or infinity as missing.
/// </summary>
internal sealed class SequenceRowReader
{
    private readonly SequenceInputBinding _binding;
    private readonly DataViewRow _row;
    private readonly ValueGetter<VBuffer<float>>[] _getters;
    private readonly VBuffer<float>[] _values;
    private readonly Func<long>? _length;
    private float[] _dense = [];
    private int _steps;

    public SequenceRowReader(SequenceInputBinding binding, DataViewRow row)
    {
        _binding = binding;
        _row = row;
        _getters = new ValueGetter<VBuffer<float>>[binding.ColumnIndices.Length];
        _values = new VBuffer<float>[_getters.Length];
        for (int i = 0; i < _getters.Length; i++)
        {
            _getters[i] = row.GetGetter<VBuffer<float>>(row.Schema[binding.ColumnIndices[i]]);
        }
        if (binding.LengthColumnIndex is int lengthIndex)
        {
            _length = SequenceLengthReader.Create(row, row.Schema[lengthIndex]);
        }
    }

    /// <summary>Reads the current row into the next row of <paramref name="sink"/> (the training set's path).</summary>
    public void ReadInto(ISequenceSink sink)
    {
        var destination = sink.Add(Load());
        if (!CopyTo(destination))
        {
            sink.MarkLastMissing();
        }
    }

    /// <summary>Reads the current row and checks its length; returns its steps, for a batch to decide whether the row fits.</summary>
    public int Load()
    {
        for (int i = 0; i < _getters.Length; i++)
        {
            _getters[i](ref _values[i]);
        }
        _steps = Steps();
        return _steps;
    }

    /// <summary>
    /// Copies the row read by <see cref="Load"/>, time-major, into <paramref name="destination"/>
    /// (steps × features values); false when it holds NaN or infinity.
    /// </summary>
    public bool CopyTo(Span<float> destination)
    {
        int features = _binding.InputSize;
        int steps = _steps;
        if (_getters.Length == 1)
        {
            CopyPrefix(_values[0], destination);
        }
        else
        {
            for (int f = 0; f < features; f++)
            {
                ReadOnlySpan<float> column = Dense(_values[f]);
                for (int t = 0; t < steps; t++)
                {
                    destination[t * features + f] = column[t];
                }
            }
        }
        return TensorPrimitives.IsFiniteAll(destination);
    }

    private int Steps()
    {
        int features = _binding.InputSize;
        int steps;
        if (_getters.Length == 1)
        {
            int length = _values[0].Length;
            if (length == 0 || length % features != 0)
            {
                throw LstmThrow.RowLengthNotMultiple(_row.Position, _binding.ColumnNames[0], features, length);
            }
            steps = length / features;
        }
        else
        {
            steps = _values[0].Length;
            for (int f = 0; f < _values.Length; f++)
            {
                if (_values[f].Length != steps || steps == 0)
                {
                    throw LstmThrow.RowFeatureLengthMismatch(_row.Position, _binding.ColumnNames[f], _values[f].Length, _binding.ColumnNames[0], steps);
                }
            }
        }
        if (_length is not null)
        {
            long length = _length();
            if (length < 1 || length > steps)
            {
                throw LstmThrow.RowLengthOutOfRange(_row.Position, _binding.InputSchema[_binding.LengthColumnIndex!.Value].Name, steps, length);
            }
            steps = (int)length;
        }
        if (_binding.ModelSteps is int modelSteps && modelSteps != steps)
        {
            throw LstmThrow.RowSequenceLengthFixed(_row.Position, _binding.ColumnNames[0], modelSteps, steps);
        }
        return steps;
    }

    /// <summary>The first destination.Length values of the vector, densified.</summary>
    private void CopyPrefix(in VBuffer<float> vector, Span<float> destination)
    {
        if (vector.IsDense)
        {
            vector.GetValues()[..destination.Length].CopyTo(destination);
        }
        else
        {
            Dense(vector)[..destination.Length].CopyTo(destination);
        }
    }

    private ReadOnlySpan<float> Dense(in VBuffer<float> vector)
    {
        if (vector.IsDense)
        {
            return vector.GetValues();
        }
        if (_dense.Length < vector.Length)
        {
            _dense = new float[vector.Length];
        }
        vector.CopyTo(_dense);
        return _dense.AsSpan(0, vector.Length);
    }
}

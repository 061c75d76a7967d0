using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The featurizer's output for every row of one view, found by row id. The id, not the position,
/// names a row the same way in every cursoring of a view, shuffled or not: ML.NET requires that
/// of every IDataView, and SDCA relies on it for its dual variables. Written by one filling
/// cursor, then only read, by any number of threads.
/// </summary>
internal sealed class CachedOutput
{
    /// <summary>What a row costs besides its values: its 16-byte id and its entry in the index, rounded up.</summary>
    public const int RowOverheadBytes = 40;

    // Blocks stay under the large object heap's 85,000 bytes, and none is ever copied to grow.
    private const int BlockValues = 16_384;

    private readonly int _outputSize;
    private readonly int _rowsPerBlock;
    private readonly List<float[]> _blocks = [];
    private readonly Dictionary<DataViewRowId, int> _rows;

    public CachedOutput(int outputSize, long? expectedRows)
    {
        _outputSize = outputSize;
        _rowsPerBlock = Math.Max(1, BlockValues / outputSize);
        _rows = new Dictionary<DataViewRowId, int>((int)Math.Min(expectedRows ?? 0, Array.MaxLength));
    }

    public static long BytesPerRow(int outputSize) => outputSize * (long)sizeof(float) + RowOverheadBytes;

    public int Count => _rows.Count;

    /// <summary>Stores a row's values; false when a row of the same id is already stored.</summary>
    public bool TryAdd(DataViewRowId id, ReadOnlySpan<float> values)
    {
        int row = _rows.Count;
        if (!_rows.TryAdd(id, row))
        {
            return false;
        }
        if (row % _rowsPerBlock == 0)
        {
            _blocks.Add(new float[_rowsPerBlock * _outputSize]);
        }
        values.CopyTo(_blocks[^1].AsSpan(row % _rowsPerBlock * _outputSize, _outputSize));
        return true;
    }

    public bool TryFind(DataViewRowId id, out int row) => _rows.TryGetValue(id, out row);

    public ReadOnlySpan<float> Values(int row) =>
        _blocks[row / _rowsPerBlock].AsSpan(row % _rowsPerBlock * _outputSize, _outputSize);
}

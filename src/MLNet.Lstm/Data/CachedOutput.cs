using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The featurizer's output for every row of one view, in the order the filling pass read them,
/// with each row's id. The id, not the position, names a row the same way in every cursoring of a
/// view, shuffled or not: ML.NET requires that of every IDataView, and SDCA relies on it for its
/// dual variables. A reader that gets the rows in the filling order finds each one at its position
/// (the id checked, no hashing); the index by id is built only when a row is not where its position
/// says (a shuffled pass). Written by one filling cursor, a batch at a time, then only read, by any number of threads.
/// </summary>
internal sealed class CachedOutput(int outputSize)
{
    private readonly int _rowsPerBlock = Math.Max(1, LstmDefaults.OutputCacheBlockValues / outputSize);
    // Blocks are never copied to grow, and stay under the large object heap's threshold.
    private readonly List<float[]> _blocks = [];
    private readonly List<DataViewRowId[]> _idBlocks = [];
    private readonly Lock _indexGate = new();
    private Dictionary<DataViewRowId, int>? _index;
    private bool _indexBuilt;

    public static long BytesPerRow(int outputSize) => outputSize * (long)sizeof(float) + LstmDefaults.OutputCacheRowOverheadBytes;

    public int Count { get; private set; }

    /// <summary>Appends one row: its id and its values.</summary>
    public void Add(DataViewRowId id, ReadOnlySpan<float> values)
    {
        int slot = Count % _rowsPerBlock;
        if (slot == 0)
        {
            _blocks.Add(new float[_rowsPerBlock * outputSize]);
            _idBlocks.Add(new DataViewRowId[_rowsPerBlock]);
        }
        values.CopyTo(_blocks[^1].AsSpan(slot * outputSize, outputSize));
        _idBlocks[^1][slot] = id;
        Count++;
    }

    /// <summary>
    /// The stored row of id <paramref name="id"/>, met at <paramref name="position"/> of a pass:
    /// that position when the row is there, else the index's answer; false when the id was never
    /// stored, or when two stored rows share it (see <see cref="HasUniqueIds"/>).
    /// </summary>
    public bool TryFind(long position, DataViewRowId id, out int row)
    {
        if (position < Count && IdAt((int)position).Equals(id))
        {
            row = (int)position;
            return true;
        }
        row = -1;
        return Index() is { } index && index.TryGetValue(id, out row);
    }

    /// <summary>Builds the index by id if it is not built yet; false when two stored rows share an id, so rows cannot be found by id.</summary>
    public bool HasUniqueIds() => Index() is not null;

    public ReadOnlySpan<float> Values(int row) =>
        _blocks[row / _rowsPerBlock].AsSpan(row % _rowsPerBlock * outputSize, outputSize);

    private DataViewRowId IdAt(int row) => _idBlocks[row / _rowsPerBlock][row % _rowsPerBlock];

    private Dictionary<DataViewRowId, int>? Index()
    {
        if (Volatile.Read(ref _indexBuilt))
        {
            return _index;
        }
        lock (_indexGate)
        {
            if (!_indexBuilt)
            {
                var index = new Dictionary<DataViewRowId, int>(Count);
                bool unique = true;
                for (int row = 0; row < Count && unique; row++)
                {
                    unique = index.TryAdd(IdAt(row), row);
                }
                _index = unique ? index : null;
                Volatile.Write(ref _indexBuilt, true);
            }
            return _index;
        }
    }
}

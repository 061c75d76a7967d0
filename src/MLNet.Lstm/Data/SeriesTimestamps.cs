using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Checks that a series' timestamps strictly increase, row after row, and across the end of the
/// history Fit read into the rows Transform scores as its continuation. A DateTime column or
/// any numeric one; each is compared as its own type, so neither nanosecond counts in an Int64
/// nor ticks lose precision to a double.
/// </summary>
internal abstract class SeriesTimestamps
{
    private static readonly DataViewType[] Types =
    [
        DateTimeDataViewType.Instance, NumberDataViewType.SByte, NumberDataViewType.Byte, NumberDataViewType.Int16, NumberDataViewType.UInt16,
        NumberDataViewType.Int32, NumberDataViewType.UInt32, NumberDataViewType.Int64, NumberDataViewType.UInt64, NumberDataViewType.Single, NumberDataViewType.Double,
    ];

    public static bool Supports(DataViewType type) => Array.IndexOf(Types, type) >= 0;

    /// <summary>The supported type of that name (its <c>ToString()</c>), as model.zip stores it; null for any other.</summary>
    public static DataViewType? TypeNamed(string name) => Array.Find(Types, t => t.ToString() == name);

    /// <summary>Whether <paramref name="last"/> can be a timestamp of <paramref name="type"/> as <see cref="Last"/> gives it.</summary>
    public static bool Fits(DataViewType type, byte[] last) => last.Length == RuntimeHelpers.SizeOf(type.RawType.TypeHandle);

    /// <param name="row">The row the timestamps are read from.</param>
    /// <param name="column">The timestamp column, of a type <see cref="Supports"/> accepts.</param>
    /// <param name="after">The history's last timestamp, as <see cref="Last"/> gave it, which the first row must follow; null for the history itself.</param>
    public static SeriesTimestamps Create(DataViewRow row, DataViewSchema.Column column, byte[]? after) =>
        (SeriesTimestamps)Activator.CreateInstance(typeof(SeriesTimestamps<>).MakeGenericType(column.Type.RawType), row, column, after)!;

    /// <summary>Reads the current row's timestamp and refuses it unless it is after the one before.</summary>
    /// <param name="row">The row's index, for the message.</param>
    public abstract void Check(long row);

    /// <summary>The last timestamp read (or the one the rows follow), in its type's bytes; null before any.</summary>
    public abstract byte[]? Last { get; }
}

internal sealed class SeriesTimestamps<T> : SeriesTimestamps
    where T : unmanaged, IComparable<T>, IFormattable
{
    private readonly ValueGetter<T> _getter;
    private readonly string _column;
    private T _previous;
    private bool _hasPrevious;
    private bool _previousIsHistory;
    private T _current;

    public SeriesTimestamps(DataViewRow row, DataViewSchema.Column column, byte[]? after)
    {
        _getter = row.GetGetter<T>(column);
        _column = column.Name;
        if (after is not null)
        {
            _previous = MemoryMarshal.Read<T>(after);
            _hasPrevious = true;
            _previousIsHistory = true;
        }
    }

    public override byte[]? Last => _hasPrevious ? MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in _previous)).ToArray() : null;

    public override void Check(long row)
    {
        _getter(ref _current);
        // CompareTo puts NaN below every number, so a NaN timestamp is refused after another; the first row needs its own check.
        if (_hasPrevious ? _current.CompareTo(_previous) <= 0 : IsNaN(_current))
        {
            throw _hasPrevious
                ? LstmThrow.TimestampNotIncreasing(row, _column, Format(_previous), _previousIsHistory, Format(_current))
                : LstmThrow.TimestampNotOrdered(row, _column, Format(_current));
        }
        _previous = _current;
        _hasPrevious = true;
        _previousIsHistory = false;
    }

    private static bool IsNaN(T value) => (value is double d && double.IsNaN(d)) || (value is float f && float.IsNaN(f));

    private static string Format(T value) => value is DateTime time
        ? time.ToString("o", CultureInfo.InvariantCulture)
        : value.ToString(null, CultureInfo.InvariantCulture);
}

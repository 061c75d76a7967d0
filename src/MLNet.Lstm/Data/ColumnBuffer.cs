using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Holds one pass-through column's values for the rows of a batch. The featurizer's cursor
/// reads a whole batch from its source before it can hand out the first row's features, so
/// the other columns' values of those rows are kept here and served when their row comes up.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>Reads the source's current row into <paramref name="slot"/>.</summary>
    public abstract void Capture(int slot);

    /// <summary>A getter that serves the slot <paramref name="currentSlot"/> returns.</summary>
    public abstract Delegate CreateGetter(Func<int> currentSlot);

    public static ColumnBuffer Create(DataViewRow source, DataViewSchema.Column column, int capacity)
    {
        var type = column.Type is VectorDataViewType vector
            ? typeof(VectorColumnBuffer<>).MakeGenericType(vector.ItemType.RawType)
            : typeof(ValueColumnBuffer<>).MakeGenericType(column.Type.RawType);
        return (ColumnBuffer)Activator.CreateInstance(type, source, column, capacity)!;
    }
}

internal sealed class ValueColumnBuffer<T>(DataViewRow source, DataViewSchema.Column column, int capacity) : ColumnBuffer
{
    private readonly ValueGetter<T> _getter = source.GetGetter<T>(column);
    private readonly T[] _values = new T[capacity];

    public override void Capture(int slot) => _getter(ref _values[slot]);

    public override Delegate CreateGetter(Func<int> currentSlot) =>
        (ValueGetter<T>)((ref T value) => value = _values[currentSlot()]);
}

/// <summary>Vectors are copied out, never shared: a getter's caller may keep and reuse its buffer.</summary>
internal sealed class VectorColumnBuffer<T>(DataViewRow source, DataViewSchema.Column column, int capacity) : ColumnBuffer
{
    private readonly ValueGetter<VBuffer<T>> _getter = source.GetGetter<VBuffer<T>>(column);
    private readonly VBuffer<T>[] _values = new VBuffer<T>[capacity];

    public override void Capture(int slot) => _getter(ref _values[slot]);

    public override Delegate CreateGetter(Func<int> currentSlot) =>
        (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[currentSlot()].CopyTo(ref value));
}

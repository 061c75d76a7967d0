using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>A cursor over the featurizer's output schema that does not read the representation: the source's rows as they are.</summary>
internal sealed class PassThroughCursor(DataViewRowCursor source, DataViewSchema schema) : DataViewRowCursor
{
    public override DataViewSchema Schema => schema;

    public override long Position => source.Position;

    public override long Batch => source.Batch;

    public override bool MoveNext() => source.MoveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < source.Schema.Count && source.IsColumnActive(source.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        column.Index < source.Schema.Count
            ? source.GetGetter<TValue>(source.Schema[column.Index])
            : throw LstmThrow.ColumnNotActive(column.Name, "cursor");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            source.Dispose();
        }
        base.Dispose(disposing);
    }
}

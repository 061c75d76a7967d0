namespace MLNet.Lstm;

/// <summary>
/// Annotations MLNet.Lstm reads from a sequence column. <c>LoadFromTsFile</c> (MLNet.Lstm.Evaluation)
/// writes them; attach them to your own data with <c>SchemaDefinition</c>.
/// </summary>
/// <example>
/// <code>
/// var schema = SchemaDefinition.Create(typeof(Row));
/// schema["Sequence"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 100 * 6);
/// schema["Sequence"].AddAnnotation(LstmAnnotations.InputSize, 6, NumberDataViewType.Int32);
/// IDataView data = mlContext.Data.LoadFromEnumerable(rows, schema);
/// </code>
/// </example>
public static class LstmAnnotations
{
    /// <summary>
    /// <c>"LstmInputSize"</c>: an Int32 on a column holding T × F values time-major, giving F, the
    /// features (channels) per step. Training takes <see cref="LstmTrainingOptions.InputSize"/>
    /// from it, and a model or an InputSize that disagrees with it is refused at <c>Fit</c>.
    /// Columns that transforms pass through keep it; a transform that rewrites the column itself
    /// (<c>ReplaceMissingValues</c>, <c>ConvertType</c>, the normalizers) drops it.
    /// </summary>
    /// <example>
    /// <code>
    /// var column = data.Schema["Sequence"];
    /// int features = 0;
    /// column.Annotations.GetValue(LstmAnnotations.InputSize, ref features); // 6 for BasicMotions
    /// </code>
    /// </example>
    public const string InputSize = "LstmInputSize";
}

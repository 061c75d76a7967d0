using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>Reads F from a sequence column's <see cref="LstmAnnotations.InputSize"/> annotation.</summary>
internal static class InputSizeAnnotation
{
    /// <summary>
    /// The features per step that the one sequence column declares; null when it declares none,
    /// is missing, or the sequence is given as one column per feature (F is then their count).
    /// </summary>
    public static int? Read(DataViewSchema schema, IReadOnlyList<string> columnNames)
    {
        if (columnNames.Count != 1 || schema.GetColumnOrNull(columnNames[0]) is not { } column
            || column.Annotations.Schema.GetColumnOrNull(LstmAnnotations.InputSize) is not { } annotation)
        {
            return null;
        }
        if (annotation.Type != NumberDataViewType.Int32)
        {
            throw LstmThrow.InputSizeAnnotationType(column.Name, annotation.Type.ToString() ?? annotation.Type.RawType.Name);
        }
        int features = 0;
        column.Annotations.GetValue(LstmAnnotations.InputSize, ref features);
        return features >= 1 ? features : throw LstmThrow.InputSizeAnnotationValue(column.Name, features);
    }
}

using Microsoft.ML;

namespace MLNet.Lstm;

/// <summary>Loading UCR/UEA <c>.ts</c> files as featurizer input, beside ML.NET's own loaders on <c>mlContext.Data</c>.</summary>
/// <example>
/// <code>
/// IDataView train = mlContext.Data.LoadFromTsFile("GunPoint_TRAIN.ts");
/// </code>
/// </example>
public static class TsFileCatalog
{
    /// <summary>
    /// Reads a UCR/UEA <c>.ts</c> file into columns <c>Sequence</c> (channels interleaved
    /// time-major; known-size when the file's sequences have one length, variable-size otherwise;
    /// its <see cref="LstmAnnotations.InputSize"/> annotation gives the channel count) and
    /// <c>Label</c> (text). See <see cref="TimeSeriesFile"/> for the channel count and labels.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="path">The <c>.ts</c> file.</param>
    /// <example>
    /// <code>
    /// IDataView train = mlContext.Data.LoadFromTsFile("GunPoint_TRAIN.ts");
    /// </code>
    /// </example>
    public static IDataView LoadFromTsFile(this DataOperationsCatalog catalog, string path) =>
        TimeSeriesFile.Read(path).ToDataView(catalog);
}

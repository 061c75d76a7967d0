using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>The host environment behind <c>mlContext</c>'s catalogs, and data views made from it (ML.NET exposes both only internally).</summary>
internal static class MLNetEnvironment
{
    public static IHostEnvironment Of(TransformsCatalog catalog) => catalog.GetEnvironment();

    public static IHostEnvironment Of(AnomalyDetectionCatalog catalog) => catalog.GetEnvironment();

    public static IHostEnvironment Of(AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog) => CatalogUtils.GetEnvironment(catalog);

    /// <summary>What <c>mlContext.Data.LoadFromEnumerable</c> does, for code that holds only the environment.</summary>
    public static IDataView FromEnumerable<TRow>(IHostEnvironment env, IEnumerable<TRow> rows, SchemaDefinition schema)
        where TRow : class => DataViewConstructionUtils.CreateFromEnumerable(env, rows, schema);
}

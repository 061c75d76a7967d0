using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>The host environment behind <c>mlContext.Transforms</c> (ML.NET exposes it only internally).</summary>
internal static class MLNetEnvironment
{
    public static IHostEnvironment Of(TransformsCatalog catalog) => catalog.GetEnvironment();
}

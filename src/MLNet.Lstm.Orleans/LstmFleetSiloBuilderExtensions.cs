using Microsoft.Extensions.DependencyInjection;
using MLNet.Lstm.Orleans.Storage;

namespace MLNet.Lstm.Orleans;

/// <summary>Registration of the fleet on a silo, in Orleans' own style.</summary>
public static class LstmFleetSiloBuilderExtensions
{
    /// <summary>
    /// Hosts <see cref="ILstmSeriesGrain"/> on this silo with <paramref name="model"/> (a next-step
    /// forecaster) shared by every series. With <see cref="LstmFleetOptions.SqlitePath"/> the
    /// checkpoints go to an embedded SQLite file every silo shares; without it, to the silo's grain
    /// storage named <see cref="LstmFleet.StorageName"/>.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="model">The model every series' engine runs.</param>
    /// <param name="options">Checkpointing and scoring; null for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// builder.UseOrleans(silo => silo.UseLocalhostClustering()
    ///     .AddLstmFleet(LstmModel.FromOnnx("forecaster.onnx"), new LstmFleetOptions { SqlitePath = "fleet.db" }));
    /// </code>
    /// </example>
    public static ISiloBuilder AddLstmFleet(this ISiloBuilder builder, LstmModel model, LstmFleetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LstmFleetOptions();
        if (options.CheckpointEvery < 1)
        {
            throw FleetThrow.CheckpointEveryInvalid(options.CheckpointEvery);
        }
        // The engine checks its options and the model when a grain makes one; checked here, a bad one fails the silo's start instead.
        model.CreateTimeSeriesEngine(options.Scoring).Dispose();
        builder.Services.AddSingleton(new LstmFleetModel(model, options));
        if (options.SqlitePath is string path)
        {
            builder.AddSqliteGrainStorage(LstmFleet.StorageName, path);
        }
        return builder;
    }

    /// <summary>
    /// Hosts the fleet with the model in <paramref name="modelPath"/>, read once when the silo is
    /// built: an ONNX file (<see cref="LstmModel.FromOnnx(string)"/>) or an ML.NET model.zip whose
    /// pipeline holds an LSTM featurizer (its <see cref="LstmFeaturizerTransformer.Model"/>).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="modelPath">The .onnx or .zip file.</param>
    /// <param name="options">Checkpointing and scoring; null for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">A model.zip without an LSTM featurizer.</exception>
    /// <example>
    /// <code>
    /// silo.UseLocalhostClustering().AddLstmFleet("forecaster.zip", new LstmFleetOptions { SqlitePath = "fleet.db" });
    /// </code>
    /// </example>
    public static ISiloBuilder AddLstmFleet(this ISiloBuilder builder, string modelPath, LstmFleetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
        {
            throw FleetThrow.ModelFileMissing(modelPath);
        }
        return builder.AddLstmFleet(ReadModel(modelPath), options);
    }

    private static LstmModel ReadModel(string path)
    {
        if (!string.Equals(Path.GetExtension(path), ".zip", StringComparison.OrdinalIgnoreCase))
        {
            return LstmModel.FromOnnx(path);
        }
        var transformer = new Microsoft.ML.MLContext().Model.Load(path, out _);
        try
        {
            var featurizer = Featurizers(transformer).FirstOrDefault()
                ?? throw FleetThrow.ModelZipWithoutFeaturizer(path, transformer.GetType().Name);
            // The graph, not the featurizer's session: the engines make their own.
            return featurizer.Model;
        }
        finally
        {
            (transformer as IDisposable)?.Dispose();
        }
    }

    private static IEnumerable<LstmFeaturizerTransformer> Featurizers(Microsoft.ML.ITransformer transformer) => transformer switch
    {
        LstmFeaturizerTransformer featurizer => [featurizer],
        IEnumerable<Microsoft.ML.ITransformer> chain => chain.SelectMany(Featurizers),
        _ => [],
    };
}

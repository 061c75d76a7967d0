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
            throw new ArgumentOutOfRangeException(nameof(options), FormattableString.Invariant($"LstmFleetOptions.CheckpointEvery: expected at least 1 point, found {options.CheckpointEvery}."));
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
}

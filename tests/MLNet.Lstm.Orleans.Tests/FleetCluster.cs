using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MLNet.Lstm.Orleans.Tests;

/// <summary>
/// A real multi-silo cluster in this process (Orleans' TestingHost, loopback only), its silos
/// sharing one SQLite file and one small forecaster, with membership tuned to notice a killed
/// silo within seconds.
/// </summary>
internal static class FleetCluster
{
    // TestingHost builds silos from configurator types: what they share is static.
    private static LstmModel? s_model;
    private static LstmFleetOptions? s_options;

    public static LstmModel Model { get; } = LstmModel.FromWeights(new LstmWeights(LstmModel.CreateRandom(1, 16, outputSize: 1, seed: 3).GetWeights())
    {
        InputOffset = [0f],
        InputScale = [1f],
    });

    /// <summary>Starts the cluster; a null <paramref name="sqlitePath"/> gives the silos a <see cref="FlakyStorage"/> instead.</summary>
    public static async Task<TestCluster> Start(string? sqlitePath, int checkpointEvery, int silos = 3, LstmModel? model = null)
    {
        s_model = model ?? Model;
        s_options = new LstmFleetOptions { SqlitePath = sqlitePath, CheckpointEvery = checkpointEvery };
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddLstmFleet(s_model!, s_options);
            if (s_options!.SqlitePath is null)
            {
                silo.Services.AddKeyedSingleton<global::Orleans.Storage.IGrainStorage>(LstmFleet.StorageName, new FlakyStorage());
            }
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder client) =>
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
    }
}

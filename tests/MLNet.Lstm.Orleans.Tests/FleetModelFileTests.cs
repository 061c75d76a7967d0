using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;

namespace MLNet.Lstm.Orleans.Tests;

/// <summary><c>AddLstmFleet(path)</c>: the silo's model read once from an .onnx file or a model.zip.</summary>
[TestClass]
public sealed class FleetModelFileTests
{
    [TestMethod]
    public void AMissingModelFileIsRefusedNamingItsFullPath()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-forecaster.onnx");

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => Host.CreateApplicationBuilder().UseOrleans(silo => silo.AddLstmFleet(path)));

        Assert.AreEqual($"LSTM fleet model: expected an .onnx file or a model.zip at '{path}', found no file.", e.Message);
    }

    [TestMethod]
    public async Task AModelZipsFeaturizerIsTheFleetsModel()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new Row { Sequence = [i, i + 1f, i + 2f] }));
        string zip = Path.Combine(Path.GetTempPath(), $"lstm-fleet-{Guid.NewGuid():N}.zip");
        string database = Path.Combine(Path.GetTempPath(), $"lstm-fleet-{Guid.NewGuid():N}.db");
        try
        {
            using (var featurizer = mlContext.Transforms.LstmFeaturizeSequence(FleetCluster.Model).Fit(rows))
            {
                mlContext.Model.Save(featurizer, rows.Schema, zip);
            }
            var builder = Host.CreateApplicationBuilder();
            builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: 11411, gatewayPort: 30411)
                .AddLstmFleet(zip, new LstmFleetOptions { SqlitePath = database }));
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var scored = await host.Services.GetRequiredService<IClusterClient>().GetGrain<ILstmSeriesGrain>("zipped").Score(0, [0.1f, 0.5f, 0.9f]);

                using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
                CollectionAssert.AreEqual(new[] { 0.1f, 0.5f, 0.9f }.Select(v => engine.Predict(v).Error).ToArray(), scored.Errors);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            File.Delete(zip);
            File.Delete(database);
        }
    }

    private sealed class Row
    {
        [Microsoft.ML.Data.VectorType(3)]
        public float[] Sequence { get; set; } = [];
    }
}

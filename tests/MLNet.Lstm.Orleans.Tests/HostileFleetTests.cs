using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MLNet.Lstm.Orleans.Tests;

/// <summary>Hostile review probes of the fleet: edge batches, odd keys, storage failures, shared files.</summary>
[TestClass]
public sealed class HostileFleetTests
{
    private static TestCluster? s_cluster;

    private static float[] Values(int count, int offset = 0) => [.. Enumerable.Range(offset, count).Select(t => MathF.Sin(0.3f * t))];

    private static string TempDatabase() => Path.Combine(Path.GetTempPath(), $"lstm-hostile-{Guid.NewGuid():N}.db");

    private static float[] Reference(int count)
    {
        using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
        return [.. Values(count).Select(v => engine.Predict(v).Score)];
    }

    // One shared one-silo cluster for the probes that need no storage trick.
    private static async Task<IClusterClient> Shared()
    {
        s_cluster ??= await FleetCluster.Start(TempDatabase(), 1000, silos: 1);
        return s_cluster.Client;
    }

    [ClassCleanup]
    public static async Task Cleanup()
    {
        if (s_cluster is not null)
        {
            await s_cluster.StopAllSilosAsync();
            await s_cluster.DisposeAsync();
        }
    }

    private static async Task Stop(TestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    private static IEnumerable<string> Messages(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
        }
    }

    [TestMethod]
    public async Task ConcurrentCopiesOfOneBatchAreScoredExactlyOnce()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("concurrent");

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => grain.Score(0, Values(50))));

        Assert.AreEqual(1, results.Count(r => r.Scores.Length == 50));
        Assert.AreEqual(50, results.Sum(r => r.Scores.Length));
        Assert.IsTrue(results.All(r => r.NextSequence == 50));
        CollectionAssert.AreEqual(Reference(50), results.Single(r => r.Scores.Length == 50).Scores);
    }

    [TestMethod]
    public async Task AnEmptyBatchAtTheNextPointIsAcknowledged()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("empty-batch");

        var r = await grain.Score(0, []);

        Assert.AreEqual((0L, 0, 0L, 0L), (r.FirstScored, r.Scores.Length, r.NextSequence, r.DurableSequence));
    }

    [TestMethod]
    public async Task AHugeBatchIsScoredWholeAndCheckpointedOnce()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("huge-batch");

        var r = await grain.Score(0, Values(100_000));

        Assert.AreEqual((0L, 100_000, 100_000L, 100_000L), (r.FirstScored, r.Scores.Length, r.NextSequence, r.DurableSequence));
    }

    [TestMethod]
    public async Task ABatchAtLongMaxValueIsAGapNamingTheMissingPoints()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("overflow");

        var e = await Assert.ThrowsExactlyAsync<LstmSequenceGapException>(() => grain.Score(long.MaxValue, Values(3)));

        Assert.AreEqual("Series 'overflow': expected point 0 next, found a batch starting at 9223372036854775807; points 0 to 9223372036854775806 are missing. Resend from point 0.", e.Message);
    }

    [TestMethod]
    public async Task TheGapExceptionCrossesTheWireWithItsSeries()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("wire-gap");
        await grain.Score(0, Values(4));

        var e = await Assert.ThrowsExactlyAsync<LstmSequenceGapException>(() => grain.Score(9, Values(2)));

        Assert.AreEqual(("wire-gap", 4L, 9L), (e.Series, e.Expected, e.Found));
    }

    [TestMethod]
    public async Task AFarBehindBatchIsAcknowledgedWhole()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("far-behind");
        await grain.Score(0, Values(30));

        var r = await grain.Score(2, Values(5, offset: 2));

        Assert.AreEqual((0, 30L), (r.Scores.Length, r.NextSequence));
    }

    [TestMethod]
    public async Task NaNAtTheFirstPointIsRefusedNamingIt()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("nan-first");
        float[] bad = Values(5);
        bad[0] = float.NaN;

        var e = await Assert.ThrowsExactlyAsync<ArgumentException>(() => grain.Score(0, bad));
        var r = await grain.Score(0, Values(5));

        Assert.AreEqual("Series 'nan-first': point 0 holds NaN in feature 0; expected finite values. Nothing of the batch was scored. (Parameter 'points')", e.Message);
        CollectionAssert.AreEqual(Reference(5), r.Scores);
    }

    [TestMethod]
    public async Task NegativeInfinityAtTheLastPointOfAPartlyResentBatchIsRefusedNamingIt()
    {
        var grain = (await Shared()).GetGrain<ILstmSeriesGrain>("inf-last");
        await grain.Score(0, Values(10));
        float[] bad = Values(10, offset: 5);
        bad[9] = float.NegativeInfinity;

        var e = await Assert.ThrowsExactlyAsync<ArgumentException>(() => grain.Score(5, bad));
        var r = await grain.Score(10, Values(5, offset: 10));

        Assert.AreEqual("Series 'inf-last': point 14 holds -Infinity in feature 0; expected finite values. Nothing of the batch was scored. (Parameter 'points')", e.Message);
        CollectionAssert.AreEqual(Reference(15)[10..], r.Scores);
    }

    [TestMethod]
    public async Task AnEmptySeriesKeyIsRefusedByOrleansOnTheClient()
    {
        var client = await Shared();

        var e = Assert.ThrowsExactly<ArgumentException>(() => client.GetGrain<ILstmSeriesGrain>(""));

        Assert.AreEqual("The value cannot be an empty string or composed entirely of whitespace. (Parameter 'primaryKey')", e.Message);
    }

    [TestMethod]
    public void CheckpointEveryZeroIsRefusedNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            Host.CreateApplicationBuilder().UseOrleans(silo => silo.AddLstmFleet(FleetCluster.Model, new LstmFleetOptions { CheckpointEvery = 0 })));

        Assert.AreEqual("LstmFleetOptions.CheckpointEvery: expected at least 1 point, found 0. (Parameter 'options')", e.Message);
    }

    [TestMethod]
    public void InvalidScoringOptionsFailTheSiloBuilderNamingTheOption()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            Host.CreateApplicationBuilder().UseOrleans(silo => silo.AddLstmFleet(FleetCluster.Model, new LstmFleetOptions { Scoring = new LstmTimeSeriesOptions { HistoryLength = 1 } })));

        Assert.AreEqual("LstmTimeSeriesOptions.HistoryLength: expected 2 to 10000000, found 1. (Parameter 'HistoryLength')", e.Message);
    }

    [TestMethod]
    public void CheckpointEveryNegativeIsRefusedNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            Host.CreateApplicationBuilder().UseOrleans(silo => silo.AddLstmFleet(FleetCluster.Model, new LstmFleetOptions { CheckpointEvery = -5 })));

        Assert.AreEqual("LstmFleetOptions.CheckpointEvery: expected at least 1 point, found -5. (Parameter 'options')", e.Message);
    }

    [TestMethod]
    public async Task AFailedCheckPointCallNamesTheSeries()
    {
        var cluster = await FleetCluster.Start(null, 1000, silos: 1);
        try
        {
            var grain = cluster.Client.GetGrain<ILstmSeriesGrain>("flaky-checkpoint");
            await grain.Score(0, Values(5));
            FlakyStorage.Down = true;
            Exception e;
            try
            {
                e = await Assert.ThrowsAsync<Exception>(() => grain.CheckPoint());
            }
            finally
            {
                FlakyStorage.Down = false;
            }

            StringAssert.Contains(e.Message, "flaky-checkpoint");
        }
        finally
        {
            await Stop(cluster);
        }
    }

    [TestMethod]
    public async Task AFailedCheckPointCallDoesNotAdvanceTheDurableSequence()
    {
        var cluster = await FleetCluster.Start(null, 1000, silos: 1);
        try
        {
            var grain = cluster.Client.GetGrain<ILstmSeriesGrain>("flaky-durable");
            await grain.Score(0, Values(5));
            FlakyStorage.Down = true;
            try
            {
                await Assert.ThrowsAsync<Exception>(() => grain.CheckPoint());
            }
            finally
            {
                FlakyStorage.Down = false;
            }

            var r = await grain.Score(5, Values(2, offset: 5));

            Assert.AreEqual((7L, 0L), (r.NextSequence, r.DurableSequence));
            CollectionAssert.AreEqual(Reference(7)[5..], r.Scores);
        }
        finally
        {
            await Stop(cluster);
        }
    }

    [TestMethod]
    public async Task TheStorageExceptionCrossesTheWireWithItsSeriesAndResendPoint()
    {
        var cluster = await FleetCluster.Start(null, 1, silos: 1);
        try
        {
            var grain = cluster.Client.GetGrain<ILstmSeriesGrain>("flaky-wire");
            await grain.Score(0, Values(3));
            FlakyStorage.Down = true;
            LstmFleetStorageException e;
            try
            {
                e = await Assert.ThrowsExactlyAsync<LstmFleetStorageException>(() => grain.Score(3, Values(2, offset: 3)));
            }
            finally
            {
                FlakyStorage.Down = false;
            }

            Assert.AreEqual(("flaky-wire", 3L), (e.Series, e.ResendFrom));
        }
        finally
        {
            await Stop(cluster);
        }
    }

    [TestMethod]
    public async Task AGracefulStopPersistsWhatWasScoredSinceTheLastCheckpoint()
    {
        string database = TempDatabase();
        try
        {
            var first = await FleetCluster.Start(database, 1000, silos: 1);
            var before = await first.Client.GetGrain<ILstmSeriesGrain>("graceful").Score(0, Values(7));
            await Stop(first);
            Assert.AreEqual(0L, before.DurableSequence);

            var second = await FleetCluster.Start(database, 1000, silos: 1);
            try
            {
                var r = await second.Client.GetGrain<ILstmSeriesGrain>("graceful").Score(7, Values(3, offset: 7));

                Assert.AreEqual((10L, 7L), (r.NextSequence, r.DurableSequence));
                CollectionAssert.AreEqual(Reference(10)[7..], r.Scores);
            }
            finally
            {
                await Stop(second);
            }
        }
        finally
        {
            File.Delete(database);
        }
    }

    [TestMethod]
    public async Task TwoClustersWritingOneSqliteFileAtOnceLoseNoWrite()
    {
        string database = TempDatabase();
        var a = await FleetCluster.Start(database, 1, silos: 1);
        var b = await FleetCluster.Start(database, 1, silos: 1);
        try
        {
            async Task Feed(IClusterClient client, string key)
            {
                var grain = client.GetGrain<ILstmSeriesGrain>(key);
                for (int batch = 0; batch < 10; batch++)
                {
                    await grain.Score(batch * 2, Values(2, offset: batch * 2));
                }
            }

            await Task.WhenAll(Enumerable.Range(0, 30).SelectMany(i => new[] { Feed(a.Client, $"a-{i}"), Feed(b.Client, $"b-{i}") }));

            var durable = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => b.Client.GetGrain<ILstmSeriesGrain>($"b-{i}").Score(20, [])));
            Assert.IsTrue(durable.All(r => r.DurableSequence == 20));
        }
        finally
        {
            await Stop(a);
            await Stop(b);
            File.Delete(database);
        }
    }

    [TestMethod]
    public async Task OddSeriesKeysPersistAndResumeUnderTheirOwnNames()
    {
        string database = TempDatabase();
        string[] keys = ["'; DROP TABLE grain_state; --", "pump/17\"$grain", "насос-17 🚀", new string('k', 20_000), "nul\0a", "nul\0b"];
        try
        {
            var first = await FleetCluster.Start(database, 1, silos: 1);
            for (int k = 0; k < keys.Length; k++)
            {
                await first.Client.GetGrain<ILstmSeriesGrain>(keys[k]).Score(0, Values(k + 1));
            }
            await Stop(first);

            var second = await FleetCluster.Start(database, 1, silos: 1);
            try
            {
                for (int k = 0; k < keys.Length; k++)
                {
                    var r = await second.Client.GetGrain<ILstmSeriesGrain>(keys[k]).Score(0, Values(k + 1));
                    Assert.AreEqual((0, (long)(k + 1), (long)(k + 1)), (r.Scores.Length, r.NextSequence, r.DurableSequence), $"key #{k}");
                }
            }
            finally
            {
                await Stop(second);
            }
        }
        finally
        {
            File.Delete(database);
        }
    }

    [TestMethod]
    public async Task ASqlitePathThatIsADirectoryFailsNamingTheFile()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"lstm-hostile-dir-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var cluster = await FleetCluster.Start(directory, 1, silos: 1);
        try
        {
            var e = await Assert.ThrowsAsync<Exception>(() => cluster.Client.GetGrain<ILstmSeriesGrain>("dir").Score(0, Values(3)));

            Assert.IsTrue(Messages(e).Any(m => m.Contains(directory, StringComparison.Ordinal)), string.Join(" | ", Messages(e)));
        }
        finally
        {
            await Stop(cluster);
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public async Task TheSqliteStorageRecoversOnceItsDirectoryExists()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"lstm-hostile-late-{Guid.NewGuid():N}");
        string database = Path.Combine(directory, "fleet.db");
        var cluster = await FleetCluster.Start(database, 1, silos: 1);
        try
        {
            await Assert.ThrowsAsync<Exception>(() => cluster.Client.GetGrain<ILstmSeriesGrain>("early").Score(0, Values(3)));
            Directory.CreateDirectory(directory);

            var r = await cluster.Client.GetGrain<ILstmSeriesGrain>("late").Score(0, Values(3));

            Assert.AreEqual((3L, 3L), (r.NextSequence, r.DurableSequence));
        }
        finally
        {
            await Stop(cluster);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [TestMethod]
    public async Task AStaleActivationRefusedByTheETagRecoversFromStorage()
    {
        string database = TempDatabase();
        var a = await FleetCluster.Start(database, 1, silos: 1);
        var b = await FleetCluster.Start(database, 1, silos: 1);
        try
        {
            var inA = a.Client.GetGrain<ILstmSeriesGrain>("split");
            await inA.Score(0, Values(5));
            var inB = await b.Client.GetGrain<ILstmSeriesGrain>("split").Score(5, Values(5, offset: 5));
            Assert.AreEqual((10L, 10L), (inB.NextSequence, inB.DurableSequence));

            // A's activation read version 1; B wrote version 2: A's write must be refused...
            await Assert.ThrowsAsync<Exception>(() => inA.Score(5, Values(5, offset: 5)));

            // ...and A must then resume from what storage holds, not fail forever on its stale ETag.
            LstmSeriesScores? r = null;
            var errors = new List<string>();
            for (int attempt = 0; attempt < 3 && r is null; attempt++)
            {
                try
                {
                    r = await inA.Score(5, Values(5, offset: 5));
                }
                catch (Exception e)
                {
                    errors.Add(e.GetType().Name + ": " + e.Message);
                    await Task.Delay(300);
                }
            }
            Assert.IsNotNull(r, string.Join(" | ", errors));
            Assert.AreEqual((0, 10L), (r.Scores.Length, r.NextSequence));
        }
        finally
        {
            await Stop(a);
            await Stop(b);
            File.Delete(database);
        }
    }

    [TestMethod]
    public async Task ASeriesCheckpointedUnderAnotherModelIsRefusedNamingTheSeries()
    {
        string database = TempDatabase();
        try
        {
            var first = await FleetCluster.Start(database, 1, silos: 1);
            await first.Client.GetGrain<ILstmSeriesGrain>("moved-hostile").Score(0, Values(4));
            await Stop(first);

            var second = await FleetCluster.Start(database, 1, silos: 1, model: LstmModel.CreateRandom(1, 16, outputSize: 1, seed: 4));
            try
            {
                var e = await Assert.ThrowsAsync<Exception>(() => second.Client.GetGrain<ILstmSeriesGrain>("moved-hostile").Score(4, Values(2, offset: 4)));

                StringAssert.Contains(e.Message, "moved-hostile");
            }
            finally
            {
                await Stop(second);
            }
        }
        finally
        {
            File.Delete(database);
        }
    }
}

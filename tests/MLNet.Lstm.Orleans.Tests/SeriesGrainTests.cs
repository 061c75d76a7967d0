namespace MLNet.Lstm.Orleans.Tests;

/// <summary>One series grain's contract: sequence numbers, refusals, persistence across a restart.</summary>
[TestClass]
public sealed class SeriesGrainTests
{
    private static float[] Values(int count, int offset = 0) => [.. Enumerable.Range(offset, count).Select(t => MathF.Sin(0.3f * t))];

    private static string TempDatabase() => Path.Combine(Path.GetTempPath(), $"lstm-fleet-{Guid.NewGuid():N}.db");

    private static async Task WithCluster(int silos, int checkpointEvery, Func<IClusterClient, Task> body, string? database = null, LstmModel? model = null)
    {
        database ??= TempDatabase();
        var cluster = await FleetCluster.Start(database, checkpointEvery, silos, model);
        try
        {
            await body(cluster.Client);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task AResentBatchIsAcknowledgedNotScoredAgain() => await WithCluster(1, 1000, async client =>
    {
        var grain = client.GetGrain<ILstmSeriesGrain>("resent");
        var first = await grain.Score(0, Values(10));

        var again = await grain.Score(0, Values(10));
        var overlapping = await grain.Score(5, Values(10, offset: 5));

        Assert.AreEqual((0L, 10, 10L), (first.FirstScored, first.Scores.Length, first.NextSequence));
        Assert.AreEqual((10L, 0, 10L), (again.FirstScored, again.Scores.Length, again.NextSequence));
        // Points 5–9 were scored; 10–14 are new.
        Assert.AreEqual((10L, 5, 15L), (overlapping.FirstScored, overlapping.Scores.Length, overlapping.NextSequence));
        using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
        float[] expected = [.. Values(15).Select(v => engine.Predict(v).Score)];
        CollectionAssert.AreEqual(expected[10..], overlapping.Scores);
    });

    [TestMethod]
    public async Task ABatchAfterAGapIsRefusedNamingTheSeriesAndTheMissingPoints() => await WithCluster(1, 1000, async client =>
    {
        var grain = client.GetGrain<ILstmSeriesGrain>("gappy");
        await grain.Score(0, Values(10));

        var e = await Assert.ThrowsExactlyAsync<LstmSequenceGapException>(() => grain.Score(15, Values(5, offset: 15)));

        Assert.AreEqual("Series 'gappy': expected point 10 next, found a batch starting at 15; points 10 to 14 are missing. Resend from point 10.", e.Message);
        Assert.AreEqual((10L, 15L), (e.Expected, e.Found));
    });

    [TestMethod]
    public async Task ABatchOnePointAheadNamesTheOneMissingPoint() => await WithCluster(1, 1000, async client =>
    {
        var grain = client.GetGrain<ILstmSeriesGrain>("one-gap");
        await grain.Score(0, Values(10));

        var e = await Assert.ThrowsExactlyAsync<LstmSequenceGapException>(() => grain.Score(11, Values(5, offset: 11)));

        Assert.AreEqual("Series 'one-gap': expected point 10 next, found a batch starting at 11; point 10 is missing. Resend from point 10.", e.Message);
    });

    [TestMethod]
    public async Task ABatchHoldingNaNIsRefusedWholeAndTheSeriesGoesOnAsIfItNeverCame() => await WithCluster(1, 1000, async client =>
    {
        var grain = client.GetGrain<ILstmSeriesGrain>("nan");
        await grain.Score(0, Values(10));
        float[] bad = Values(5, offset: 10);
        bad[3] = float.NaN;

        var e = await Assert.ThrowsExactlyAsync<ArgumentException>(() => grain.Score(10, bad));
        var next = await grain.Score(10, Values(5, offset: 10));

        Assert.AreEqual("Series 'nan': point 13 holds NaN in feature 0; expected finite values. Nothing of the batch was scored. (Parameter 'points')", e.Message);
        using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
        float[] expected = [.. Values(15).Select(v => engine.Predict(v).Score)];
        CollectionAssert.AreEqual(expected[10..], next.Scores);
    });

    [TestMethod]
    public async Task ANegativeSequenceNumberIsRefusedNamingIt() => await WithCluster(1, 1000, async client =>
    {
        var grain = client.GetGrain<ILstmSeriesGrain>("wide");

        var e = await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => grain.Score(-1, Values(3)));

        Assert.AreEqual("Series 'wide': expected a sequence number from 0, found -1. (Parameter 'firstSequence')", e.Message);
    });

    [TestMethod]
    public async Task ARestartedClusterResumesEverySeriesFromItsStorage()
    {
        string database = TempDatabase();
        try
        {
            float[] values = Values(120);
            // A graceful stop deactivates the grains, which persist their checkpoints.
            await WithCluster(2, 1000, async client =>
            {
                for (int s = 0; s < 20; s++)
                {
                    await client.GetGrain<ILstmSeriesGrain>($"restart-{s}").Score(0, values[..60]);
                }
            }, database);

            var resumed = new LstmSeriesScores[20];
            await WithCluster(3, 1000, async client =>
            {
                for (int s = 0; s < 20; s++)
                {
                    resumed[s] = await client.GetGrain<ILstmSeriesGrain>($"restart-{s}").Score(60, values[60..]);
                }
            }, database);

            using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
            float[] expected = [.. values.Select(v => engine.Predict(v).Score)];
            foreach (var result in resumed)
            {
                Assert.AreEqual((60L, 120L, 60L), (result.FirstScored, result.NextSequence, result.DurableSequence));
                CollectionAssert.AreEqual(expected[60..], result.Scores);
            }
        }
        finally
        {
            File.Delete(database);
        }
    }

    [TestMethod]
    public async Task TheDurableSequenceIsTheLastPersistedCheckpointsAndCheckPointAdvancesIt() => await WithCluster(1, 25, async client =>
    {
        var grain = client.GetGrain<ILstmSeriesGrain>("durable");

        var first = await grain.Score(0, Values(20));
        var second = await grain.Score(20, Values(10, offset: 20));
        var third = await grain.Score(30, Values(5, offset: 30));
        long durable = await grain.CheckPoint();

        Assert.AreEqual(0L, first.DurableSequence);
        Assert.AreEqual(30L, second.DurableSequence);
        Assert.AreEqual(30L, third.DurableSequence);
        Assert.AreEqual(35L, durable);
    });

    [TestMethod]
    public async Task PointsOfTheWrongWidthAreRefusedNamingTheModelsInputSize()
    {
        var twoFeatures = LstmModel.CreateRandom(2, 8, outputSize: 2, seed: 1);
        await WithCluster(1, 1000, async client =>
        {
            var e = await Assert.ThrowsExactlyAsync<ArgumentException>(() => client.GetGrain<ILstmSeriesGrain>("wide").Score(0, [1f, 2f, 3f]));

            Assert.AreEqual("Series 'wide': expected whole points of 2 values (the model's input size), found 3 values. (Parameter 'points')", e.Message);
        }, model: twoFeatures);
    }

    [TestMethod]
    public async Task ASeriesCheckpointedUnderAnotherModelIsRefusedByItsHash()
    {
        string database = TempDatabase();
        try
        {
            await WithCluster(1, 1, client => client.GetGrain<ILstmSeriesGrain>("moved").Score(0, Values(10)), database);
            var other = LstmModel.CreateRandom(1, 16, outputSize: 1, seed: 4);

            await WithCluster(1, 1, async client =>
            {
                var e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => client.GetGrain<ILstmSeriesGrain>("moved").Score(10, Values(5, offset: 10)));

                Assert.AreEqual("Series 'moved': its checkpoint in grain storage 'lstm-fleet' cannot be restored: time-series checkpoint: it was written by an engine of another model (the model's SHA-256 differs).", e.Message);
            }, database, other);
        }
        finally
        {
            File.Delete(database);
        }
    }

    [TestMethod]
    public async Task AStorageOutageFailsTheBatchThatCheckpointsAndItsRetryScoresItOnceTheStorageIsBack()
    {
        var cluster = await FleetCluster.Start(sqlitePath: null, checkpointEvery: 10, silos: 1);
        try
        {
            var grain = cluster.Client.GetGrain<ILstmSeriesGrain>("outage");
            await grain.Score(0, Values(8));
            FlakyStorage.Down = true;
            LstmFleetStorageException refused;
            try
            {
                refused = await Assert.ThrowsExactlyAsync<LstmFleetStorageException>(() => grain.Score(8, Values(5, offset: 8)));
            }
            finally
            {
                FlakyStorage.Down = false;
            }

            var retried = await grain.Score(8, Values(5, offset: 8));

            Assert.AreEqual("Series 'outage': its checkpoint could not be written to grain storage 'lstm-fleet' (IOException: the storage is down); the batch from point 8 was not scored. Resend it once the storage is back.", refused.Message);
            Assert.AreEqual(8L, refused.ResendFrom);
            using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
            float[] expected = [.. Values(13).Select(v => engine.Predict(v).Score)];
            Assert.AreEqual((8L, 13L, 13L), (retried.FirstScored, retried.NextSequence, retried.DurableSequence));
            CollectionAssert.AreEqual(expected[8..], retried.Scores);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}

using System.Text.Json;

namespace MLNet.Lstm.Tests;

/// <summary>
/// A checkpoint written by an earlier build (Fixtures/checkpoint, see README.md there) still
/// restores: a service restarted on a new version resumes its streams instead of starting over.
/// </summary>
[TestClass]
public sealed class CheckpointCompatibilityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoint");

    // The options the fixture's engine ran with: each differs from its default, so a field written in the wrong place shows.
    private static LstmTimeSeriesOptions Options => new() { TrainingPoints = 5, AveragingWindow = 3, HistoryLength = 64, WarmUpPoints = 10 };

    [TestMethod]
    public void AFormatVersion2CheckpointRestoresItsStatesAndScoresTheNextPointsAsItsEngineDid()
    {
        RestoreAndAssertTheStatesAndNextPointsItsEngineGave("engine-v2");
    }

    [TestMethod]
    public void AFormatVersion2CheckpointHeldNoValueRangeNorStatesSoAFarPointIsScoredByItsErrorAlone()
    {
        using var engine = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx")).CreateTimeSeriesEngine(Options);
        using (var checkpoint = File.OpenRead(Path.Combine(Folder, "engine-v2.checkpoint")))
        {
            engine.Restore(checkpoint);
        }
        using var fresh = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx")).CreateTimeSeriesEngine(new LstmTimeSeriesOptions
        {
            TrainingPoints = 5, AveragingWindow = 3, HistoryLength = 64, WarmUpPoints = 10, ValueRangeTolerance = null,
        });
        using (var checkpoint = File.OpenRead(Path.Combine(Folder, "engine-v2.checkpoint")))
        {
            fresh.Restore(checkpoint);
        }

        // (0.5, 9) is far outside the fixture's second feature (4·cos), which a known range would score 1.
        var restored = engine.Predict([0.5f, 9f]);

        Assert.AreEqual(fresh.Predict([0.5f, 9f]), restored);
        Assert.IsTrue(restored.Score < 0.1f, $"score {restored.Score}");
        // Nor did it hold the training states: novelty stays off too.
        Assert.IsTrue(float.IsNaN(restored.Novelty));
    }

    [TestMethod]
    [DataRow("engine-v3")] // adds the value range
    [DataRow("engine-v4")] // adds the tail: empirical, over squared errors
    [DataRow("engine-v5")] // the empirical tail over square roots
    public void AFormatVersion3To5CheckpointRestoresItsValueRangeAndTailAndScoresTheNextPointsAsItsEngineDid(string name)
    {
        var predictions = RestoreAndAssertTheStatesAndNextPointsItsEngineGave(name);

        // The last point, (0.5, 9), lies beyond the range the checkpoint carried.
        Assert.AreEqual(1f, predictions[^1].Score);
    }

    [TestMethod]
    public void AFormatVersion3CheckpointScoresByTheNormalTailItsEngineHadUntilReset()
    {
        var model = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx"));
        using var engine = model.CreateTimeSeriesEngine(Options);
        using (var checkpoint = File.OpenRead(Path.Combine(Folder, "engine-v3.checkpoint")))
        {
            engine.Restore(checkpoint);
        }
        var series = Enumerable.Range(0, 120).Select(t => new[] { MathF.Sin(0.3f * t), 4f * MathF.Cos(0.1f * t) }).ToArray();

        engine.Reset();
        var afterReset = series.Select(point => engine.Predict(point)).ToArray();

        // Options' value range and training points make the tail the empirical one: a fresh engine's, and the reset one's.
        using var fresh = model.CreateTimeSeriesEngine(Options);
        CollectionAssert.AreEqual(series.Select(point => fresh.Predict(point)).ToArray(), afterReset);
    }

    [TestMethod]
    public void AFormatVersion4CheckpointWrittenAgainKeepsRankingSquaredErrors()
    {
        // Format 5 still writes format 4's empirical tail (1) for a history of squared errors, so the stream resumes as it would have.
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "engine-v4.expected.json"))).RootElement;
        var model = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx"));
        using var reader = model.CreateTimeSeriesEngine(Options);
        reader.Restore(new MemoryStream(File.ReadAllBytes(Path.Combine(Folder, "engine-v4.checkpoint"))));
        using var again = new MemoryStream();
        reader.CheckPoint(again);
        using var engine = model.CreateTimeSeriesEngine(Options);
        again.Position = 0;

        engine.Restore(again);
        var predictions = expected.GetProperty("NextPoints").EnumerateArray().Select(Floats).Select(point => engine.Predict(point)).ToArray();

        CollectionAssert.AreEqual(Floats(expected.GetProperty("NextScores")), predictions.Select(p => p.Score).ToArray());
    }

    [TestMethod]
    [DataRow("engine-v2")]
    [DataRow("engine-v3")]
    [DataRow("engine-v4")]
    [DataRow("engine-v5")]
    public void AnEngineWithoutAWindowTakesAFixtureCheckpointsWindowAndScoresTheNextPointsAsItsEngineDid(string name)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json"))).RootElement;
        var options = Options;
        options.AveragingWindow = null;
        using var engine = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx")).CreateTimeSeriesEngine(options);
        using (var checkpoint = File.OpenRead(Path.Combine(Folder, name + ".checkpoint")))
        {
            engine.Restore(checkpoint);
        }

        var predictions = expected.GetProperty("NextPoints").EnumerateArray().Select(Floats).Select(point => engine.Predict(point)).ToArray();

        CollectionAssert.AreEqual(Floats(expected.GetProperty("NextScores")), predictions.Select(p => p.Score).ToArray());
        CollectionAssert.AreEqual(Floats(expected.GetProperty("NextErrors")), predictions.Select(p => p.Error).ToArray());
    }

    [TestMethod]
    public void AFormatVersion2CheckpointRestoredWithoutAWindowWritesOneThatEnginesOfItsWindowRestore()
    {
        // Format 2 held no novelty history: the fresh one must average as the restored error history does (3, not the default 2).
        var model = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx"));
        var unset = Options;
        unset.AveragingWindow = null;
        using var engine = model.CreateTimeSeriesEngine(unset);
        using (var checkpoint = File.OpenRead(Path.Combine(Folder, "engine-v2.checkpoint")))
        {
            engine.Restore(checkpoint);
        }
        engine.Predict([0.1f, 1f]);
        using var again = new MemoryStream();
        engine.CheckPoint(again);
        using var withoutAWindow = model.CreateTimeSeriesEngine(unset);
        using var windowOfThree = model.CreateTimeSeriesEngine(Options);

        again.Position = 0;
        withoutAWindow.Restore(again);
        again.Position = 0;
        windowOfThree.Restore(again);

        var next = engine.Predict([0.2f, 2f]);
        Assert.AreEqual(next, withoutAWindow.Predict([0.2f, 2f]));
        Assert.AreEqual(next, windowOfThree.Predict([0.2f, 2f]));
    }

    // Restores NAME.checkpoint, checks the states NAME.expected.json holds, and predicts its next points as its engine did.
    private static LstmTimeSeriesPrediction[] RestoreAndAssertTheStatesAndNextPointsItsEngineGave(string name)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json"))).RootElement;
        using var engine = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx")).CreateTimeSeriesEngine(Options);
        using (var checkpoint = File.OpenRead(Path.Combine(Folder, name + ".checkpoint")))
        {
            engine.Restore(checkpoint);
        }

        Assert.AreEqual(expected.GetProperty("Points").GetInt64(), engine.Points);
        CollectionAssert.AreEqual(Floats(expected.GetProperty("Hidden")), engine.HiddenState);
        CollectionAssert.AreEqual(Floats(expected.GetProperty("Cell")), engine.CellState);
        CollectionAssert.AreEqual(Floats(expected.GetProperty("Forecast")), engine.Forecast);
        var points = expected.GetProperty("NextPoints").EnumerateArray().Select(Floats).ToArray();
        var predictions = points.Select(point => engine.Predict(point)).ToArray();
        CollectionAssert.AreEqual(Floats(expected.GetProperty("NextScores")), predictions.Select(p => p.Score).ToArray());
        CollectionAssert.AreEqual(Floats(expected.GetProperty("NextErrors")), predictions.Select(p => p.Error).ToArray());
        return predictions;
    }

    [TestMethod]
    public void ARestoredEngineWritesTheCheckpointItReadByteForByte()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(Folder, "engine-v5.checkpoint"));
        using var engine = LstmModel.FromOnnx(Path.Combine(Folder, "forecaster.onnx")).CreateTimeSeriesEngine(Options);
        engine.Restore(new MemoryStream(original));

        using var written = new MemoryStream();
        engine.CheckPoint(written);

        CollectionAssert.AreEqual(original, written.ToArray());
    }

    // Stored as the floats' bits (BitConverter.SingleToInt32Bits), so the comparison is exact.
    private static float[] Floats(JsonElement bits) => [.. bits.EnumerateArray().Select(b => BitConverter.Int32BitsToSingle(b.GetInt32()))];
}

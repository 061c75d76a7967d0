namespace MLNet.Lstm.Tests;

/// <summary>
/// Value-range novelty (<see cref="LstmTimeSeriesOptions.ValueRangeTolerance"/>): a scored point
/// further beyond every value the engine has read than the tolerance's share of their range
/// scores 1, whatever its forecast error.
/// </summary>
[TestClass]
public sealed class ValueRangeTests
{
    // Points 0..59 of sin(0.3t) span [-1, 1] (width 2): the 5 % tolerance reaches 1.1.
    private static float Sine(int t) => MathF.Sin(0.3f * t);

    private static LstmModel Model(int inputSize = 1) => LstmModel.CreateRandom(inputSize, 8, outputSize: inputSize, seed: 1);

    // The error tail is set, so that an engine without a range differs from one with it by the range alone.
    private static LstmTimeSeriesEngine Engine(LstmModel model, double? tolerance = 0.05, long trainingPoints = 0, int warmUp = 10) =>
        model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = trainingPoints, WarmUpPoints = warmUp, ValueRangeTolerance = tolerance, ErrorTail = LstmErrorTail.Empirical });

    private static void Read(LstmTimeSeriesEngine engine, int points)
    {
        for (int t = 0; t < points; t++)
        {
            engine.Predict(Sine(t));
        }
    }

    [TestMethod]
    public void TheDefaultToleranceIsNumentasFivePercent()
    {
        Assert.AreEqual(0.05, new LstmTimeSeriesOptions().ValueRangeTolerance);
        Assert.AreEqual(0.05, new LstmAnomalyDetectorOptions().Scoring.ValueRangeTolerance);
    }

    [TestMethod]
    public void APointBeyondTheRangeAndItsToleranceScoresOne()
    {
        using var engine = Engine(Model());
        Read(engine, 60);

        Assert.AreEqual(1f, engine.Predict(1.2f).Score);
        Assert.AreEqual(1f, engine.Predict(-1.3f).Score);
    }

    [TestMethod]
    public void APointWithinTheToleranceIsScoredByItsErrorAlone()
    {
        var model = Model();
        using var engine = Engine(model);
        using var plain = Engine(model, tolerance: null);
        Read(engine, 60);
        Read(plain, 60);

        var near = engine.Predict(1.05f);

        Assert.AreEqual(plain.Predict(1.05f), near);
        Assert.IsTrue(near.Score < 1f, $"score {near.Score}");
    }

    [TestMethod]
    public void NullTurnsNoveltyOffLeavingTheErrorsScore()
    {
        var model = Model();
        using var engine = Engine(model);
        using var plain = Engine(model, tolerance: null);
        Read(engine, 60);
        Read(plain, 60);

        Assert.AreEqual(1f, engine.Predict(1.2f).Score);
        Assert.IsTrue(plain.Predict(1.2f).Score < 1f);
    }

    [TestMethod]
    public void TrainingAndWarmUpPointsNeverScoreOneButWidenTheRange()
    {
        using var engine = Engine(Model(), trainingPoints: 20, warmUp: 10);
        Read(engine, 19);
        // The last training point: 0 whatever it is, yet its value joins the range.
        Assert.AreEqual(0f, engine.Predict(3f).Score);
        for (int t = 0; t < 10; t++)
        {
            // The warm-up: the history is too short to score by, so nothing scores.
            Assert.AreEqual(0f, engine.Predict(t == 5 ? -4f : Sine(t)).Score);
        }

        // The range is now [-4, 3]: 3.3 is within 5 % of its width of 7 (3.35); then [-4, 3.3] reaches 3.665.
        Assert.IsTrue(engine.Predict(3.3f).Score < 1f);
        Assert.AreEqual(1f, engine.Predict(3.7f).Score);
    }

    [TestMethod]
    public void AFlatSeriesFirstChangeIsNotNovelForARangeOfNoWidthJudgesNothing()
    {
        var model = Model();
        using var engine = Engine(model);
        using var plain = Engine(model, tolerance: null);
        for (int t = 0; t < 60; t++)
        {
            engine.Predict(2f);
            plain.Predict(2f);
        }

        Assert.AreEqual(plain.Predict(2.5f), engine.Predict(2.5f));
    }

    [TestMethod]
    public void OneFeatureBeyondItsOwnRangeMakesAMultivariatePointNovel()
    {
        using var engine = Engine(Model(inputSize: 2));
        for (int t = 0; t < 60; t++)
        {
            engine.Predict([Sine(t), 100f + 10f * Sine(t + 3)]);
        }

        // 1.5 would be inside the second feature's range, yet it is beyond the first's.
        Assert.AreEqual(1f, engine.Predict([1.5f, 100f]).Score);
        Assert.IsTrue(engine.Predict([0.5f, 100f]).Score < 1f);
    }

    [TestMethod]
    public void ResetForgetsTheRange()
    {
        using var engine = Engine(Model());
        Read(engine, 60);
        engine.Reset();
        for (int t = 0; t < 60; t++)
        {
            engine.Predict(10f + Sine(t));
        }

        // -1 was in the range before Reset; now the range is [9, 11].
        Assert.AreEqual(1f, engine.Predict(-1f).Score);
    }

    [TestMethod]
    public void ACheckpointCarriesTheRange()
    {
        var model = Model();
        using var source = Engine(model);
        Read(source, 60);
        using var checkpoint = new MemoryStream();
        source.CheckPoint(checkpoint);
        using var restored = Engine(model);
        checkpoint.Position = 0;
        restored.Restore(checkpoint);

        Assert.AreEqual(source.Predict(1.2f), restored.Predict(1.2f));
        Assert.AreEqual(1f, restored.Predict(-1.3f).Score);
    }

    [TestMethod]
    [DataRow(-0.01)]
    [DataRow(10.5)]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    public void AToleranceOutsideZeroToTenIsRefusedNamingIt(double tolerance)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Model().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { ValueRangeTolerance = tolerance }));

        StringAssert.StartsWith(e.Message, $"LstmTimeSeriesOptions.ValueRangeTolerance: expected null (off) or 0 to 10 (a fraction of the value range), found {tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    [TestMethod]
    public void ACheckpointWhoseRangeIsInvertedIsRefused()
    {
        var model = Model();
        using var source = Engine(model);
        Read(source, 60);
        using var stream = new MemoryStream();
        source.CheckPoint(stream);
        byte[] bytes = stream.ToArray();
        // The range is written as its minimum then its maximum: found by their bytes, the maximum becomes -5.
        float min = Enumerable.Range(0, 60).Min(Sine), max = Enumerable.Range(0, 60).Max(Sine);
        byte[] range = [.. BitConverter.GetBytes(min), .. BitConverter.GetBytes(max)];
        int at = bytes.AsSpan().IndexOf(range);
        Assert.AreEqual(-1, bytes.AsSpan(at + 1).IndexOf(range), "the range's bytes are unique");
        BitConverter.TryWriteBytes(bytes.AsSpan(at + 4), -5f);
        using var engine = Engine(model);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(bytes)));

        StringAssert.StartsWith(e.Message, "time-series checkpoint: expected a value range whose maximum is at least its minimum, found [");
    }
}

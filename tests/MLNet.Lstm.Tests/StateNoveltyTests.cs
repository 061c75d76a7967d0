using MLNet.Lstm.Streaming;

namespace MLNet.Lstm.Tests;

/// <summary>
/// State novelty (<see cref="LstmTimeSeriesOptions.NoveltyMemory"/>): the engine keeps the LSTM's
/// states on the training points and judges every later state by its standardized distance to the
/// nearest of them; the score is the mean of that novelty's and the forecast error's.
/// </summary>
[TestClass]
public sealed class StateNoveltyTests
{
    private const int Training = 300;

    private static float Sine(int t) => MathF.Sin(0.3f * t);

    private static LstmModel Model() => LstmModel.CreateRandom(1, 8, outputSize: 1, seed: 1);

    private static LstmTimeSeriesEngine Engine(LstmModel model, int memory = 1000, long trainingPoints = Training) =>
        model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = trainingPoints, NoveltyMemory = memory, ValueRangeTolerance = null });

    private static LstmTimeSeriesPrediction[] Read(LstmTimeSeriesEngine engine, IEnumerable<float> values) => [.. values.Select(v => engine.Predict(v))];

    [TestMethod]
    public void TheDefaultKeepsAThousandStates()
    {
        Assert.AreEqual(1000, new LstmTimeSeriesOptions().NoveltyMemory);
        Assert.AreEqual(1000, new LstmAnomalyDetectorOptions().Scoring.NoveltyMemory);
    }

    [TestMethod]
    public void TheSeriesAsTrainedIsNearItsStatesAndANewShapeInTheSameRangeIsFarFromThem()
    {
        using var engine = Engine(Model());
        Read(engine, Enumerable.Range(0, Training).Select(Sine));

        var same = Read(engine, Enumerable.Range(Training, 100).Select(Sine));
        // A square wave of the same amplitude: every value was seen, the shape never.
        var square = Read(engine, Enumerable.Range(0, 100).Select(t => (t / 10) % 2 == 0 ? 0.9f : -0.9f));

        // Measured: the sine's states lie 0.0107 from a kept one on average, the square wave's 0.166 (15.5 times).
        Assert.AreEqual(0.0107, same.Average(p => p.Novelty), 0.001);
        Assert.IsTrue(square.Average(p => p.Novelty) > 5 * same.Average(p => p.Novelty), $"square {square.Average(p => p.Novelty)} sine {same.Average(p => p.Novelty)}");
    }

    [TestMethod]
    public void NoveltyIsNaNOnTrainingPointsAndWhereNoStatesAreKept()
    {
        var model = Model();
        using var engine = Engine(model);
        using var off = Engine(model, memory: 0);
        using var untrained = Engine(model, trainingPoints: 0);

        var training = Read(engine, Enumerable.Range(0, Training).Select(Sine));
        var offScored = Read(off, Enumerable.Range(0, Training + 10).Select(Sine))[Training..];
        var untrainedScored = Read(untrained, Enumerable.Range(0, 10).Select(Sine));

        Assert.IsTrue(training.All(p => float.IsNaN(p.Novelty)));
        Assert.IsTrue(offScored.All(p => float.IsNaN(p.Novelty)));
        Assert.IsTrue(untrainedScored.All(p => float.IsNaN(p.Novelty)));
        Assert.IsFalse(float.IsNaN(engine.Predict(0.5f).Novelty));
    }

    [TestMethod]
    public void WithAValueRangeTheErrorsLikelihoodIsTheEmpiricalTailsAndTheNoveltysTheNormalsBothOverMeansOfTwo()
    {
        // A range ten times as wide as the values on each side: nothing is beyond it, so every score is the mean.
        var predictions = AssertEveryScoreIsTheMeanOfTheLikelihoods(new LstmTimeSeriesOptions { TrainingPoints = Training, ValueRangeTolerance = 10 }, errorsEmpirical: true, window: 2);

        // Measured: the bump scores highest, 0.337 (each likelihood judges the bump's value averaged with the point's before it).
        Assert.AreEqual(0.3374586f, predictions[Training + 150].Score, 1e-6f);
        Assert.AreEqual(predictions.Max(p => p.Score), predictions[Training + 150].Score);
    }

    [TestMethod]
    public void TheScoreIsTheMeanOfTheErrorsAndTheNoveltysLikelihoods()
    {
        var predictions = AssertEveryScoreIsTheMeanOfTheLikelihoods(new LstmTimeSeriesOptions { TrainingPoints = Training, ValueRangeTolerance = null }, errorsEmpirical: false, window: 1);

        Assert.IsTrue(predictions[Training + 150].Score > 0.05f, $"the bump scores {predictions[Training + 150].Score}");
    }

    // Streams a sine with a bump after the training points, and checks each score against likelihoods fed the predictions' own errors and novelties.
    private static LstmTimeSeriesPrediction[] AssertEveryScoreIsTheMeanOfTheLikelihoods(LstmTimeSeriesOptions options, bool errorsEmpirical, int window)
    {
        using var engine = Model().CreateTimeSeriesEngine(options);
        var values = Enumerable.Range(0, Training + 200).Select(t => Sine(t) + (t == Training + 150 ? 0.8f : 0f)).ToArray();

        var predictions = Read(engine, values);

        var errors = new AnomalyLikelihood(window, options.HistoryLength, options.WarmUpPoints, options.TrainingPoints, errorsEmpirical);
        var novelties = new AnomalyLikelihood(window, options.HistoryLength, options.WarmUpPoints, options.TrainingPoints, empiricalTail: false);
        for (int t = 0; t < values.Length; t++)
        {
            float error = errors.Update(t == 0 ? double.NaN : predictions[t].Error);
            float novelty = novelties.Update(predictions[t].Novelty);
            // The engine's error is a double; the prediction's, rounded to float, moves the score by rounding only.
            Assert.AreEqual(t < Training ? 0f : 0.5f * (error + novelty), predictions[t].Score, 1e-6f, $"point {t}");
        }
        return predictions;
    }

    [TestMethod]
    public void WithOneStateKeptNoveltyIsTheDistanceToTheLastTrainingStateOverTheMinimumSpread()
    {
        using var engine = Engine(Model(), memory: 1);
        Read(engine, Enumerable.Range(0, Training).Select(Sine));
        float[] last = engine.HiddenState;

        var next = engine.Predict(Sine(Training));

        // One state has no spread: each unit is divided by √1e-4, the least spread allowed.
        double expected = engine.HiddenState.Zip(last, (h, k) => Math.Pow((h - k) * 100.0, 2)).Sum();
        Assert.AreEqual(expected, next.Novelty, 1e-4 * expected);
    }

    [TestMethod]
    public void ACheckpointCarriesTheKeptStatesAndTheNoveltyHistory()
    {
        var model = Model();
        using var source = Engine(model);
        Read(source, Enumerable.Range(0, Training + 80).Select(Sine));
        using var checkpoint = new MemoryStream();
        source.CheckPoint(checkpoint);
        using var restored = Engine(model);
        checkpoint.Position = 0;
        restored.Restore(checkpoint);

        var values = Enumerable.Range(0, 60).Select(t => Sine(t) * 1.5f).ToArray();
        CollectionAssert.AreEqual(Read(source, values), Read(restored, values));
    }

    [TestMethod]
    public void ResetKeepsTheStatesOfTheNextTrainingPointsInstead()
    {
        var model = Model();
        using var engine = Engine(model);
        using var fresh = Engine(model);
        Read(engine, Enumerable.Range(0, Training + 50).Select(Sine));
        engine.Reset();
        var square = Enumerable.Range(0, Training + 50).Select(t => (t / 10) % 2 == 0 ? 0.9f : -0.9f).ToArray();

        CollectionAssert.AreEqual(Read(fresh, square), Read(engine, square));
    }

    [TestMethod]
    [DataRow(-1)]
    [DataRow(100_001)]
    public void AMemoryOutsideZeroToAHundredThousandIsRefusedNamingIt(int memory)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Model().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { NoveltyMemory = memory }));

        Assert.AreEqual($"LstmTimeSeriesOptions.NoveltyMemory: expected 0 (off) to 100000 training states, found {memory}. (Parameter 'NoveltyMemory')", e.Message);
    }

    [TestMethod]
    public void ACheckpointOfAnotherMemoryIsRefusedNamingBoth()
    {
        var model = Model();
        using var source = Engine(model, memory: 50);
        Read(source, Enumerable.Range(0, 10).Select(Sine));
        using var checkpoint = new MemoryStream();
        source.CheckPoint(checkpoint);
        using var engine = Engine(model, memory: 60);
        checkpoint.Position = 0;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(checkpoint));

        Assert.AreEqual("time-series checkpoint: it was written with LstmTimeSeriesOptions.NoveltyMemory 50, this engine has 60.", e.Message);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Evaluation;
using MLNet.Lstm.Examples.WebService;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// The newest surfaces as a hostile caller meets them: <c>CreateLstmDetector</c> given degenerate
/// histories and out-of-range options, <c>CreateSlidingWindows</c> over several columns given bad
/// names, NaNs and windows longer than the data, NAB series whose timestamps repeat or reach
/// <see cref="DateTime"/>'s limits, the stratified validation fallback given singleton classes, and
/// the web service given an address it cannot parse. Each is read as meant or refused naming what is wrong.
/// </summary>
[TestClass]
public sealed class HostileNewApiTests
{
    // Small enough that a detector trains in milliseconds; the probes are about edges, not accuracy.
    private static readonly LstmAnomalyDetectorOptions Tiny = new() { HiddenSize = 4, Epochs = 1, WindowSize = 8, Seed = 1 };

    private static float[] Sine(int points, float amplitude = 1f) => [.. Enumerable.Range(0, points).Select(t => amplitude * MathF.Sin(0.3f * t))];

    private static List<string> TrainingLines(MLContext mlContext)
    {
        var lines = new List<string>();
        mlContext.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("LSTM training:", StringComparison.Ordinal))
            {
                lock (lines)
                {
                    lines.Add(e.RawMessage);
                }
            }
        };
        return lines;
    }

    // ---- CreateLstmDetector ----

    [TestMethod]
    public void AnEmptyHistoryIsRefusedAsTooShort()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector([], Tiny));

        Assert.AreEqual("Anomaly detector history: expected at least 5 points, enough for 4 training windows of 2, found 0. (Parameter 'history')", e.Message);
    }

    [TestMethod]
    public void AFivePointHistoryTrainsOnWindowsOfTwoAndScoresFinitely()
    {
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(5), Tiny);
        long pointsRead = detector.Points;

        var next = Sine(60)[5..].Select(p => detector.Predict(p)).ToArray();

        Assert.AreEqual(5L, pointsRead);
        Assert.AreEqual(1.1896062f, next[0].Error, 1e-5f);
        Assert.IsTrue(next.All(p => float.IsFinite(p.Error) && p.Score is >= 0 and <= 1));
        // The history is in-sample, so the default 50 warm-up means of two errors come after it: the first is next[1]'s.
        Assert.IsTrue(next[..51].All(p => p.Score == 0));
        Assert.AreEqual(0.10130145f, next[51].Score, 1e-6f);
    }

    [TestMethod]
    public void AConstantHistoryIsNotDividedByItsZeroSpreadAndAStepAwayFromItScoresOneUnderTheNormalTail()
    {
        var normal = new LstmAnomalyDetectorOptions { HiddenSize = 4, Epochs = 1, WindowSize = 8, Seed = 1, Scoring = new LstmTimeSeriesOptions { ErrorTail = LstmErrorTail.Normal } };
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Enumerable.Repeat(3f, 50).ToArray(), normal);

        var flat = Enumerable.Range(0, 52).Select(_ => detector.Predict(3f)).ToArray();
        var step = detector.Predict(4f);
        var back = detector.Predict(3f);


        Assert.AreEqual(0.15519823f, flat[0].Error, 1e-5f);
        Assert.IsTrue(flat.All(p => float.IsFinite(p.Error) && float.IsFinite(p.Score)));
        Assert.AreEqual(0.0049911076f, flat[50].Score, 1e-6f);
        Assert.AreEqual((1f, 0.36702004f), (step.Score, step.Error), $"{step}");
        Assert.AreEqual(0.0059211217f, back.Score, 1e-6f);
    }

    [TestMethod]
    public void AStepAwayFromAConstantHistoryIsItsLargestErrorYetUnderTheEmpiricalTail()
    {
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Enumerable.Repeat(3f, 50).ToArray(), Tiny);

        var flat = Enumerable.Range(0, 52).Select(_ => detector.Predict(3f)).ToArray();
        var step = detector.Predict(4f);
        var back = detector.Predict(3f);
        // A range of no width judges nothing, so the step is scored by its error and novelty: the mean of its error
        // and the last flat one is the largest of a history of 51 such means, log10(52) of log10(8,641) digits,
        // 0.436, averaged with the novelty's likelihood (1). The point back judges a mean that holds the step's error.
        Assert.IsTrue(flat[..51].All(p => p.Score == 0));
        Assert.AreEqual(0.22029267f, flat[51].Score, 1e-6f);
        Assert.AreEqual((0.717957f, 0.36702004f), (step.Score, step.Error), $"{step}");
        Assert.AreEqual((float)(0.5 * (Math.Log10(52) / Math.Log10(8641) + 1)), step.Score, 1e-6f);
        Assert.AreEqual(0.29433915f, back.Score, 1e-6f);
        Assert.IsTrue(flat.All(p => p.Score < step.Score), string.Join(", ", flat));
    }

    [TestMethod]
    public void HistoriesOfHugeValuesAreScaledAwayAndScoreAlikeUpToFloatMaxValue()
    {
        using var huge = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(60, 1e30f), Tiny);
        using var nearMax = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(60, 3e38f), Tiny);

        var hugeScores = Sine(60, 1e30f).Select(p => huge.Predict(p)).ToArray();
        var nearMaxScores = Sine(60, 3e38f).Select(p => nearMax.Predict(p)).ToArray();

        Assert.AreEqual(0.18545736f, hugeScores[0].Error, 1e-5f);
        Assert.AreEqual(0.12692283f, hugeScores[59].Score, 1e-6f);
        for (int i = 0; i < 60; i++)
        {
            Assert.IsTrue(float.IsFinite(nearMaxScores[i].Error), $"point {i}");
            Assert.AreEqual(hugeScores[i].Error, nearMaxScores[i].Error, 1e-5f, $"point {i}");
            Assert.AreEqual(hugeScores[i].Score, nearMaxScores[i].Score, 1e-6f, $"point {i}");
        }
    }

    [TestMethod]
    public void AnInputSizeLargerThanTheHistoryIsRefusedAsAPartialPoint()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(10), new LstmAnomalyDetectorOptions { InputSize = 100 }));

        Assert.AreEqual("Anomaly detector history: expected whole points of InputSize 100 values each, found 10 values (10 left over). (Parameter 'history')", e.Message);
    }

    [TestMethod]
    public void AWindowSizeOfIntMaxValueOnAShortHistoryTrainsOnTheLongestWindowsItHolds()
    {
        var mlContext = new MLContext(seed: 1);
        var lines = TrainingLines(mlContext);

        using var detector = mlContext.AnomalyDetection.CreateLstmDetector(Sine(40), new LstmAnomalyDetectorOptions { HiddenSize = 4, Epochs = 1, WindowSize = int.MaxValue, Seed = 1 });

        Assert.AreEqual(40L, detector.Points);
        Assert.AreEqual(0.29356182f, detector.Predict(0f).Error, 1e-5f);
        // 40 points give 4 windows of 37, the fewest training needs.
        StringAssert.StartsWith(lines.Single(), "LSTM training: NextStep, 4 training and 0 validation sequences,");
    }

    [TestMethod]
    [DataRow(65)]
    [DataRow(96)]
    public void AWindowSizeAbove64TrainsAForecasterOfOnePointAStep(int windowSize)
    {
        // The engine steps one point at a time: the detector trains without MaxSteps' pooling (its own
        // documented examples use windows of 96 and 288).
        var mlContext = new MLContext(seed: 1);
        var lines = TrainingLines(mlContext);

        using var detector = mlContext.AnomalyDetection.CreateLstmDetector(Sine(200),
            new LstmAnomalyDetectorOptions { HiddenSize = 4, Epochs = 1, WindowSize = windowSize, Seed = 1 });

        Assert.AreEqual(200L, detector.Points);
        StringAssert.EndsWith(lines.Single(), "steps pooled by 1");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-3)]
    [DataRow(int.MaxValue)]
    public void AHiddenSizeOutOfRangeIsRefusedNamingTheDetectorsOption(int hiddenSize)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(20),
            new LstmAnomalyDetectorOptions { HiddenSize = hiddenSize, Epochs = 1, WindowSize = 8 }));

        Assert.AreEqual($"LstmAnomalyDetectorOptions.HiddenSize: expected 1 to 23170, found {hiddenSize}. (Parameter 'HiddenSize')", e.Message);
    }

    [TestMethod]
    [DataRow("HistoryLength", "expected 2 to 10000000, found 0")]
    [DataRow("AveragingWindow", "expected null (chosen by the error tail) or 1 to HistoryLength (8640), found 0")]
    [DataRow("WarmUpPoints", "expected 1 to HistoryLength (8640), found -1")]
    public void AScoringOptionOutOfRangeIsRefusedBeforeTheForecasterTrains(string option, string why)
    {
        var mlContext = new MLContext(seed: 1);
        var lines = TrainingLines(mlContext);
        var scoring = option switch
        {
            "HistoryLength" => new LstmTimeSeriesOptions { HistoryLength = 0 },
            "AveragingWindow" => new LstmTimeSeriesOptions { AveragingWindow = 0 },
            _ => new LstmTimeSeriesOptions { WarmUpPoints = -1 },
        };

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.AnomalyDetection.CreateLstmDetector(Sine(20),
            new LstmAnomalyDetectorOptions { HiddenSize = 4, Epochs = 1, WindowSize = 8, Scoring = scoring }));

        Assert.AreEqual($"LstmTimeSeriesOptions.{option}: {why}. (Parameter '{option}')", e.Message);
        Assert.IsEmpty(lines);
    }

    [TestMethod]
    public void ANullScoringIsRefusedBeforeTrainingNamingIt()
    {
        var mlContext = new MLContext(seed: 1);
        var lines = TrainingLines(mlContext);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.AnomalyDetection.CreateLstmDetector(Sine(20), new LstmAnomalyDetectorOptions { Scoring = null! }));

        Assert.AreEqual("LstmAnomalyDetectorOptions.Scoring: expected scoring options, found null. (Parameter 'Scoring')", e.Message);
        Assert.IsEmpty(lines);
    }

    [TestMethod]
    public void DisposingTheDetectorTwiceIsHarmlessAndAPredictAfterwardsIsRefused()
    {
        var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(20), Tiny);
        detector.Dispose();
        detector.Dispose();

        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => detector.Predict(1f));

        Assert.AreEqual("This LstmTimeSeriesEngine has been disposed: create a new one from the model (and Restore a checkpoint to resume).\nObject name: 'LstmTimeSeriesEngine'.", e.Message);
    }

    [TestMethod]
    public void APointOfTheWrongWidthIsRefusedNumberedAfterTheHistorysPoints()
    {
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(40), new LstmAnomalyDetectorOptions { InputSize = 2, HiddenSize = 4, Epochs = 1, WindowSize = 8 });

        var e = Assert.ThrowsExactly<ArgumentException>(() => detector.Predict(1f));

        // The first live point is point 20: the engine counts the history's 20 points as its own.
        Assert.AreEqual("Point 20: expected 2 features, found 1. (Parameter 'point')", e.Message);
        Assert.AreEqual(20L, detector.Points);
    }

    // ---- CreateSlidingWindows over several columns ----

    private sealed class Reading
    {
        public float A { get; set; }

        public double B { get; set; }

        [VectorType(3)]
        public float[] V { get; set; } = new float[3];
    }

    private static IDataView Readings(MLContext mlContext, int rows, int nanRow = -1) =>
        mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Reading { A = i == nanRow ? float.NaN : i, B = 100 + i, V = [i, i, i] }));

    private static (string Type, int InputSize, float[][] Windows) Read(IDataView windows)
    {
        var column = windows.Schema["Sequence"];
        int inputSize = 0;
        column.Annotations.GetValue(LstmAnnotations.InputSize, ref inputSize);
        using var cursor = windows.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var rows = new List<float[]>();
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().ToArray());
        }
        return (column.Type.ToString()!, inputSize, [.. rows]);
    }

    [TestMethod]
    public void ANullColumnNameIsRefusedNamingItsEntry()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Data.CreateSlidingWindows(Readings(mlContext, 5), ["A", null!], windowSize: 2, stride: 1));

        Assert.AreEqual("Sliding windows: valueColumnNames[1]: expected a column name, found null. (Parameter 'valueColumnNames')", e.Message);
    }

    [TestMethod]
    public void ADuplicatedColumnNameIsRefusedNamingBothEntries()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Data.CreateSlidingWindows(Readings(mlContext, 4), ["A", "B", "A"], windowSize: 2, stride: 1));

        Assert.AreEqual("Sliding windows: column 'A' is named twice (valueColumnNames[0] and [2]); expected each value column once. (Parameter 'valueColumnNames')", e.Message);
    }

    [TestMethod]
    public void AWindowLongerThanTheDataIsRefusedNamingBoth()
    {
        var mlContext = new MLContext(seed: 1);

        var several = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(Readings(mlContext, 5), ["A", "B"], windowSize: 10, stride: 1));
        var one = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(new float[5], windowSize: 10));

        const string Expected = "Sliding windows: the series has 5 steps, too few for one window of 10; expected at least 10 steps, or a smaller windowSize. (Parameter 'windowSize')";
        Assert.AreEqual(Expected, several.Message);
        Assert.AreEqual(Expected, one.Message);
    }

    [TestMethod]
    public void AStrideOfZeroIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(Readings(mlContext, 5), ["A"], windowSize: 2, stride: 0));

        Assert.AreEqual("stride ('0') must be greater than or equal to '1'. (Parameter 'stride')\nActual value was 0.", e.Message);
    }

    [TestMethod]
    public void ANaNPassesIntoTheWindowsHoldingItAndTrainingRefusesTheFirst()
    {
        // Documented: values are copied as they are, and training refuses the first window (row) holding the NaN.
        var mlContext = new MLContext(seed: 1);
        var windows = mlContext.Data.CreateSlidingWindows(Readings(mlContext, 12, nanRow: 3), ["A", "B"], windowSize: 2, stride: 1);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 4, Epochs = 1 }).Fit(windows));

        var read = Read(windows).Windows;
        CollectionAssert.AreEqual(new[] { 2f, 102f, float.NaN, 103f }, read[2]);
        CollectionAssert.AreEqual(new[] { float.NaN, 103f, 4f, 104f }, read[3]);
        Assert.AreEqual("LSTM training: row 2 holds NaN or infinity; replace missing values before training (e.g. ReplaceMissingValues).", e.Message);
    }

    [TestMethod]
    public void AVectorColumnIsRefusedNamingItAndItsType()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(Readings(mlContext, 5), ["A", "V"], windowSize: 2, stride: 1));

        Assert.AreEqual("Column 'V': expected a Single or Double value per row, found Vector<Single, 3>. (Parameter 'valueColumnNames')", e.Message);
    }

    // ---- NabSeries: repeated and extreme timestamps ----

    private static readonly DateTime Start = new(2024, 1, 1);

    private static DateTime Minute(int minute) => Start.AddMinutes(minute);

    /// <summary>Scores one detection at <paramref name="detectAt"/>; six rows leave no probationary period.</summary>
    private static (double Score, int TruePositives, int FalsePositives, int FalseNegatives) DetectAt(DateTime[] timestamps, NabWindow[] windows, int detectAt)
    {
        var series = new NabSeries("cat/s.csv", timestamps, new double[timestamps.Length], windows);
        var scores = new double[timestamps.Length];
        scores[detectAt] = 1;
        var result = NabScorer.ScoreSeries(series, scores, 0.5, NabProfile.Standard);
        Assert.AreEqual(0, series.ProbationaryLength);
        return (result.Score, result.TruePositives, result.FalsePositives, result.FalseNegatives);
    }

    [TestMethod]
    public void ARepeatedTimestampAtAWindowsStartIsAcceptedAndLiesInsideTheWindow()
    {
        var result = DetectAt([Minute(0), Minute(1), Minute(1), Minute(2), Minute(3), Minute(4)], [new(Minute(1), Minute(2))], detectAt: 2);

        Assert.AreEqual((0.9437422611978669, 1, 0, 2), result);
    }

    [TestMethod]
    public void ARepeatedTimestampAtAWindowsEndIsAcceptedAndLiesOutsideTheWindowAsInNab()
    {
        // NAB leaves a window at the first row holding its end: the repeat is a false positive, and
        // the time-order check (strictly inside) does not refuse it.
        var result = DetectAt([Minute(0), Minute(1), Minute(2), Minute(2), Minute(3), Minute(4)], [new(Minute(1), Minute(2))], detectAt: 3);

        Assert.AreEqual((-1.1085275727966573, 0, 1, 2), result);
    }

    [TestMethod]
    public void AOneRowWindowIsAcceptedAndADetectionAfterItCostsTheFullFalsePositiveWeight()
    {
        var result = DetectAt([Minute(0), Minute(1), Minute(2), Minute(3), Minute(4), Minute(5)], [new(Minute(2), Minute(2))], detectAt: 3);

        Assert.AreEqual((-1.11, 0, 1, 1), result);
    }

    [TestMethod]
    public void TimestampsAllEqualGiveAOneRowWindowAtTheFirstRowAndTheOthersOutsideIt()
    {
        // Row 3 has the window's very timestamp, yet NAB matches positions: the window is row 0 only.
        var result = DetectAt([.. Enumerable.Repeat(Minute(0), 6)], [new(Minute(0), Minute(0))], detectAt: 3);

        Assert.AreEqual((-1.11, 0, 1, 1), result);
    }

    [TestMethod]
    public void WindowsBoundedByDateTimeMinValueAndMaxValueAreAccepted()
    {
        var result = DetectAt([DateTime.MinValue, Minute(0), Minute(1), Minute(2), Minute(3), DateTime.MaxValue],
            [new(DateTime.MinValue, Minute(0)), new(Minute(3), DateTime.MaxValue)], detectAt: 5);

        Assert.AreEqual((-0.14020743309021633, 1, 0, 3), result);
    }

    // ---- Stratified validation fallback ----


    /// <summary>Trains a 4-unit classifier for one epoch and returns its "LSTM training:" log line.</summary>
    private static (string Line, string[] Warnings) TrainClassifier(int rows, Func<int, string> classOf, double validationFraction)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(mlContext, rows, steps: 4, classOf, seed: 4);
        var lines = TrainingLines(mlContext);
        var warnings = new List<string>();
        mlContext.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
            {
                lock (warnings)
                {
                    warnings.Add(e.RawMessage);
                }
            }
        };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
            Epochs = 1,
            ConvChannels = [],
            KernelFeatures = 0,
            StandardizeFeatures = false,
            ValidationFraction = validationFraction,
        }).Fit(data);
        return (lines.Single(), [.. warnings]);
    }

    [TestMethod]
    public void AThousandSingletonClassesTrainWithNoValidationAndAWarningSaysWhy()
    {
        var (line, warnings) = TrainClassifier(1000, i => $"c{i}", 0.1);

        Assert.AreEqual("LSTM training: Classification, 1000 training and 0 validation sequences, 1 member(s) of 1 layer(s) of 4, output 1000, 1 epochs, steps pooled by 1", line);
        CollectionAssert.AreEqual(new[] { "ValidationFraction 0.1 asks for 100 of the 1000 rows, but the classes are too small to give them up (each keeps at least one training row): " +
            "0 held out. Early stopping and the best epoch are judged on those; give rare classes more rows, or set ValidationFraction to 0." }, warnings);
    }

    [TestMethod]
    public void OneClassOfFourAmongSixtySingletonsHoldsOneRowOfTheSixAskedForAndWarns()
    {
        var (line, warnings) = TrainClassifier(64, i => i < 4 ? "big" : $"c{i}", 0.1);

        Assert.AreEqual("LSTM training: Classification, 63 training and 1 validation sequences, 1 member(s) of 1 layer(s) of 4, output 61, 1 epochs, steps pooled by 1", line);
        Assert.HasCount(1, warnings);
        StringAssert.StartsWith(warnings[0], "ValidationFraction 0.1 asks for 6 of the 64 rows, but the classes are too small to give them up (each keeps at least one training row): 1 held out.");
    }

    [TestMethod]
    public void AFallbackShareThatLeavesThreeTrainingRowsIsRefusedNamingTheFraction()
    {
        // 2 classes of 2 rows: a quarter of each rounds to 0, so the fallback holds round(0.25 · 4) = 1 overall.
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TrainClassifier(4, i => $"c{i / 2}", 0.25));

        Assert.AreEqual("LSTM training: ValidationFraction 0.25 holds out 1 of the 4 rows, leaving 3 to train on; expected at least 4. Lower ValidationFraction, or set it to 0.", e.Message);
    }

    // ---- The web service's addresses ----

    [TestMethod]
    public void AnInvalidUrlsValueIsRefusedAtBuildNamingTheSetting()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ScoringApp.Build(["--urls", "http://127.0.0.1:5123;not a url"], "unused.zip"));

        Assert.AreEqual("--urls (or ASPNETCORE_URLS, or appsettings' \"Urls\"): expected addresses such as http://127.0.0.1:5123, separated by ';', found 'not a url'. (Parameter 'args')", e.Message);
    }
}

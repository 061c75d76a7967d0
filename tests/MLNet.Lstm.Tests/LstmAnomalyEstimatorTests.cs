using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// mlContext.Transforms.DetectAnomalyByLstm: a series in row order, trained on in Fit and scored
/// in Transform as the history's continuation; the same numbers as CreateLstmDetector + Predict,
/// independent and ordered cursors, model.zip, several columns, timestamps, and the refusals.
/// </summary>
[TestClass]
public sealed class LstmAnomalyEstimatorTests
{
    private const int HistoryPoints = 300;
    private const int SpikeRow = 80;
    private const string RowOrderAdvice = "The series is read in row order, Transform's rows after Fit's: sort the rows by time and drop repeated timestamps.";
    private static readonly DateTime Start = new(2024, 1, 1);

    // Small and quick: these tests are about the plumbing, not the forecaster's accuracy.
    private static LstmAnomalyDetectorOptions Small() => new() { HiddenSize = 8, Epochs = 3, WindowSize = 24, Seed = 1 };

    private static float Wave(int t) => MathF.Sin(0.3f * t);

    /// <summary>Points <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> − 1: a sine wave and a phase-shifted one, 5 minutes apart.</summary>
    private static Reading[] Series(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(t => new Reading { Value = Wave(t), Other = Wave(t + 5), Time = Start.AddMinutes(5 * t), Tick = t })];

    private static Reading[] WithSpike(Reading[] rows)
    {
        rows[SpikeRow].Value += 3f;
        return rows;
    }

    private static IDataView Load(MLContext mlContext, Reading[] rows) => mlContext.Data.LoadFromEnumerable(rows);

    private static LstmAnomalyTransformer FitOnHistory(MLContext mlContext, string? timestampColumnName = null) =>
        mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), timestampColumnName).Fit(Load(mlContext, Series(0, HistoryPoints)));

    private static float[][] Scores(IDataView scored) => [.. scored.GetColumn<float[]>("Anomaly")];

    private static float[][] ReadAll(DataViewRowCursor cursor, int rows = int.MaxValue)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Anomaly"]);
        var read = new List<float[]>();
        VBuffer<float> value = default;
        while (read.Count < rows && cursor.MoveNext())
        {
            getter(ref value);
            read.Add(value.DenseValues().ToArray());
        }
        return [.. read];
    }

    private static void AssertSameRows(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
        }
    }

    [TestMethod]
    public void ASpikeInTheContinuationScoresHighestAndIsTheOnlyAlert()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);

        var scores = Scores(detector.Transform(Load(mlContext, WithSpike(Series(HistoryPoints, 120)))));

        // Measured: the spike scores 1 with an error of 17.7. The row after it judges the mean of its error and the
        // spike's, the largest of a short history: 0.354, no alert. No other row scores above 0.212 or errs above 0.074.
        var others = scores.Where((_, row) => row != SpikeRow).ToArray();
        Assert.AreEqual(1f, scores[SpikeRow][0]);
        Assert.AreEqual(1f, scores[SpikeRow][1], 1e-6f);
        Assert.AreEqual(0.35363087f, scores[SpikeRow + 1][1], 1e-6f);
        Assert.IsLessThan(0.25f, scores.Where((_, row) => row != SpikeRow && row != SpikeRow + 1).Max(s => s[1]));
        Assert.IsGreaterThan(100 * others.Max(s => s[2]), scores[SpikeRow][2]);
        Assert.IsTrue(others.All(s => s[0] == 0f), "no other alert");
    }

    [TestMethod]
    public void TheOutputIsCreateLstmDetectorsPredictionsBitForBit()
    {
        var mlContext = new MLContext(seed: 1);
        var later = WithSpike(Series(HistoryPoints, 120));
        using var detector = FitOnHistory(mlContext);
        using var engine = mlContext.AnomalyDetection.CreateLstmDetector(Series(0, HistoryPoints).Select(r => r.Value).ToArray(), Small());

        var scores = Scores(detector.Transform(Load(mlContext, later)));

        var expected = later.Select(r => engine.Predict(r.Value)).Select(p => new[] { p.Score >= 0.5f ? 1f : 0f, p.Score, p.Error }).ToArray();
        AssertSameRows(expected, scores);
    }

    [TestMethod]
    public void TwoCursorsScoreFromTheSameStateWithoutDisturbingEachOther()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);
        var scored = detector.Transform(Load(mlContext, WithSpike(Series(HistoryPoints, 120))));
        var expected = Scores(scored);

        using var first = scored.GetRowCursor(scored.Schema);
        using var second = scored.GetRowCursor(scored.Schema);
        var firstHead = ReadAll(first, rows: 40);
        var secondAll = ReadAll(second);
        var firstTail = ReadAll(first);

        AssertSameRows(expected, [.. firstHead, .. firstTail]);
        AssertSameRows(expected, secondAll);
    }

    [TestMethod]
    public void ShuffledCursorsAndCursorSetsReadTheRowsInOrder()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);
        var scored = detector.Transform(Load(mlContext, WithSpike(Series(HistoryPoints, 120))));
        var expected = Scores(scored);

        using var shuffled = scored.GetRowCursor(scored.Schema, new Random(3));
        var set = scored.GetRowCursorSet(scored.Schema, n: 4, new Random(3));

        Assert.IsFalse(scored.CanShuffle);
        AssertSameRows(expected, ReadAll(shuffled));
        Assert.HasCount(1, set);
        AssertSameRows(expected, ReadAll(set[0]));
        set[0].Dispose();
    }

    [TestMethod]
    public void ASavedModelZipLoadsBackAndScoresBitForBit()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryPoints));
        var later = Load(mlContext, WithSpike(Series(HistoryPoints, 120)));
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "Time", alertThreshold: 0.25f).Fit(history);
        using var zip = new MemoryStream();
        mlContext.Model.Save(detector, history.Schema, zip);
        zip.Position = 0;

        var loaded = (LstmAnomalyTransformer)mlContext.Model.Load(zip, out var schema);

        using (loaded)
        {
            Assert.AreEqual("Anomaly", loaded.OutputColumnName);
            CollectionAssert.AreEqual(new[] { "Value" }, loaded.InputColumnNames.ToArray());
            Assert.AreEqual("Time", loaded.TimestampColumnName);
            Assert.AreEqual(0.25f, loaded.AlertThreshold);
            Assert.AreEqual(300L, loaded.HistoryPoints);
            CollectionAssert.AreEqual(detector.Model.ToOnnxBytes(), loaded.Model.ToOnnxBytes());
            CollectionAssert.AreEqual(history.Schema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray());
            AssertSameRows(Scores(detector.Transform(later)), Scores(loaded.Transform(later)));
        }
    }

    [TestMethod]
    public void AModelZipSavedBeforeErrorTailWasSavedLoadsAndScoresAsTheBuildThatSavedItDid()
    {
        // Fixtures/README.md: version 0x00010001, whose engine judged errors by the normal tail.
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "anomaly");
        var expected = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "detector-v1.expected.json"))).RootElement;
        float[] Floats(string name) => [.. expected.GetProperty(name).EnumerateArray().Select(b => BitConverter.Int32BitsToSingle(b.GetInt32()))];
        var mlContext = new MLContext(seed: 1);
        using var zip = File.OpenRead(Path.Combine(folder, "detector-v1.zip"));

        var loaded = (LstmAnomalyTransformer)mlContext.Model.Load(zip, out _);

        using (loaded)
        {
            var later = mlContext.Data.LoadFromEnumerable(Floats("Points").Select(v => new ValueRow { Value = v }).ToArray());
            var scores = Scores(loaded.Transform(later));
            Assert.AreEqual(0.4f, loaded.AlertThreshold);
            CollectionAssert.AreEqual(Floats("Alerts"), scores.Select(s => s[0]).ToArray());
            CollectionAssert.AreEqual(Floats("Scores"), scores.Select(s => s[1]).ToArray());
            CollectionAssert.AreEqual(Floats("Errors"), scores.Select(s => s[2]).ToArray());
        }
    }

    [TestMethod]
    public void ASavedModelZipKeepsItsAveragingWindowSetOrNot()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryPoints));
        var later = Load(mlContext, WithSpike(Series(HistoryPoints, 120)));
        var options = Small();
        options.Scoring.AveragingWindow = 1;
        using var windowOfOne = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", options).Fit(history);
        using var byDefault = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(history);

        var loadedWindowOfOne = SavedAndLoaded(mlContext, windowOfOne, history.Schema);
        var loadedByDefault = SavedAndLoaded(mlContext, byDefault, history.Schema);

        using (loadedWindowOfOne)
        using (loadedByDefault)
        {
            var scores = Scores(loadedWindowOfOne.Transform(later));
            AssertSameRows(Scores(windowOfOne.Transform(later)), scores);
            AssertSameRows(Scores(byDefault.Transform(later)), Scores(loadedByDefault.Transform(later)));
            CollectionAssert.AreNotEqual(Scores(byDefault.Transform(later)).Select(s => s[1]).ToArray(), scores.Select(s => s[1]).ToArray());
        }
    }

    private static LstmAnomalyTransformer SavedAndLoaded(MLContext mlContext, LstmAnomalyTransformer detector, DataViewSchema schema)
    {
        using var zip = new MemoryStream();
        mlContext.Model.Save(detector, schema, zip);
        zip.Position = 0;
        return (LstmAnomalyTransformer)mlContext.Model.Load(zip, out _);
    }

    [TestMethod]
    public void ASavedModelZipKeepsItsErrorTail()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryPoints));
        var later = Load(mlContext, WithSpike(Series(HistoryPoints, 120)));
        var options = Small();
        options.Scoring.ErrorTail = LstmErrorTail.Normal;
        using var normal = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", options).Fit(history);
        using var byDefault = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(history);

        var loaded = SavedAndLoaded(mlContext, normal, history.Schema);

        using (loaded)
        {
            var scores = Scores(loaded.Transform(later));
            AssertSameRows(Scores(normal.Transform(later)), scores);
            CollectionAssert.AreNotEqual(Scores(byDefault.Transform(later)).Select(s => s[1]).ToArray(), scores.Select(s => s[1]).ToArray());
        }
    }

    [TestMethod]
    public void TwoColumnsAreOneSeriesOfTwoFeatures()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Series(0, HistoryPoints);
        var later = Series(HistoryPoints, 120);
        later[SpikeRow].Other -= 3f;
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", ["Value", "Other"], Small()).Fit(Load(mlContext, history));
        using var engine = mlContext.AnomalyDetection.CreateLstmDetector(history.SelectMany(r => new[] { r.Value, r.Other }).ToArray(),
            new LstmAnomalyDetectorOptions { InputSize = 2, HiddenSize = 8, Epochs = 3, WindowSize = 24, Seed = 1 });

        var scores = Scores(detector.Transform(Load(mlContext, later)));

        var expected = later.Select(r => engine.Predict([r.Value, r.Other])).Select(p => new[] { p.Score >= 0.5f ? 1f : 0f, p.Score, p.Error }).ToArray();
        AssertSameRows(expected, scores);
        Assert.AreEqual(SpikeRow, Array.IndexOf(scores, scores.MaxBy(s => s[1])));
        Assert.AreEqual(1f, scores[SpikeRow][0]);
    }

    [TestMethod]
    public void InputSizeMustBeOneOrTheNumberOfColumns()
    {
        var options = Small();
        options.InputSize = 3;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Transforms.DetectAnomalyByLstm("Anomaly", ["Value", "Other"], options));

        Assert.AreEqual("LstmAnomalyDetectorOptions.InputSize: expected 1 or 2, one feature per input column ('Value', 'Other'), found 3. (Parameter 'InputSize')", e.Message);
    }

    [TestMethod]
    public void AnInputColumnNamedTwiceIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.DetectAnomalyByLstm("Anomaly", ["Value", "Other", "Value"]));

        Assert.AreEqual("DetectAnomalyByLstm: inputColumnNames[2] repeats column 'Value' (inputColumnNames[0]); expected one column per feature. (Parameter 'inputColumnNames')", e.Message);
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(1.5f)]
    [DataRow(float.NaN)]
    public void AnAlertThresholdOutsideTheScoresIsRefused(float threshold)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Transforms.DetectAnomalyByLstm("Anomaly", "Value", alertThreshold: threshold));

        Assert.AreEqual($"DetectAnomalyByLstm: alertThreshold: expected a score above 0 and at most 1 (scores are in [0, 1]), found {threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}. (Parameter 'alertThreshold')", e.Message);
    }

    [TestMethod]
    public void AnOutOfOrderTimestampInTheHistoryIsRefusedNamingTheRows()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Series(0, HistoryPoints);
        history[7].Tick = 5;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "Tick").Fit(Load(mlContext, history)));

        Assert.AreEqual($"Row 7 of timestamp column 'Tick': expected a timestamp after 6 (row 6), found 5. {RowOrderAdvice}", e.Message);
    }

    [TestMethod]
    public void ARepeatedTimestampInTransformIsRefusedNamingTheRows()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext, "Time");
        var later = Series(HistoryPoints, 20);
        later[5].Time = later[4].Time;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Scores(detector.Transform(Load(mlContext, later))));

        Assert.AreEqual($"Row 5 of timestamp column 'Time': expected a timestamp after 2024-01-02T01:20:00.0000000 (row 4), found 2024-01-02T01:20:00.0000000. {RowOrderAdvice}", e.Message);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TransformsRowsMustFollowTheHistorysLastTimestamp(bool reloaded)
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryPoints));
        ITransformer detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "Tick").Fit(history);
        if (reloaded)
        {
            detector = SavedAndLoaded(mlContext, (LstmAnomalyTransformer)detector, history.Schema);
        }

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Scores(detector.Transform(Load(mlContext, Series(299, 20)))));

        Assert.AreEqual($"Row 0 of timestamp column 'Tick': expected a timestamp after 299 (the last of the history Fit read), found 299. {RowOrderAdvice}", e.Message);
        ((IDisposable)detector).Dispose();
    }

    [TestMethod]
    public void ANaNTimestampIsRefusedEvenOnTheFirstRow()
    {
        var mlContext = new MLContext(seed: 1);
        var history = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(t => new OddReading { Value = Wave(t), Level = t == 0 ? double.NaN : t }));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "Level").Fit(history));

        Assert.AreEqual("Row 0 of timestamp column 'Level': expected a timestamp, found NaN.", e.Message);
    }

    [TestMethod]
    public void TransformsTimestampsMustBeOfTheTypeFitRead()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext, "Time");
        var later = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(t => new TickReading { Value = Wave(t), Time = t }));

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => detector.Transform(later));

        Assert.AreEqual("Timestamp column 'Time': expected a DateTime per row, the type of the timestamps Fit read, found Int64. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void ANaNRowInTransformIsRefusedNamingItsRowAndColumn()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);
        var later = Series(HistoryPoints, 20);
        later[12].Value = float.NaN;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Scores(detector.Transform(Load(mlContext, later))));

        Assert.AreEqual("Row 12 of column 'Value': expected a finite value, found NaN. The series is scored in row order, each row from the state the rows before it left, so a row cannot be skipped: replace missing values first (e.g. mlContext.Transforms.ReplaceMissingValues).", e.Message);
    }

    [TestMethod]
    public void AnInfiniteValueInTheHistoryIsRefusedAtFitNamingItsRowAndColumn()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Series(0, HistoryPoints);
        history[17].Other = float.PositiveInfinity;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.DetectAnomalyByLstm("Anomaly", ["Value", "Other"], Small()).Fit(Load(mlContext, history)));

        Assert.StartsWith("Row 17 of column 'Other': expected a finite value, found Infinity.", e.Message);
    }

    [TestMethod]
    public void AValueTheEngineRefusesIsReportedWithItsRow()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);
        var later = Series(HistoryPoints, 80);
        later[60].Value = 1e30f;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Scores(detector.Transform(Load(mlContext, later))));

        Assert.StartsWith("Row 60 of column(s) 'Value' was refused by the detector: Point 360: its values (1E+30) are too large", e.Message);
        Assert.IsInstanceOfType<ArgumentException>(e.InnerException);
    }

    [TestMethod]
    [DataRow("Missing", null, "Input column 'Missing' was not found: expected a Single per row (one feature of the series), found no column of that name.")]
    [DataRow("Level", null, "Input column 'Level': expected a Single per row (one feature of the series), found Double.")]
    [DataRow("Window", null, "Input column 'Window': expected a Single per row (one feature of the series), found a vector of Single.")]
    [DataRow("Value", "When", "Timestamp column 'When' was not found: expected a DateTime or a number per row, found no column of that name.")]
    [DataRow("Value", "Label", "Timestamp column 'Label': expected a DateTime or a number per row, found String.")]
    public void ASchemaErrorNamesTheColumnWhatWasExpectedAndWhatWasFound(string input, string? timestamp, string message)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(t => new OddReading { Value = Wave(t), Level = t, Window = [1, 2, 3], Label = "a" }));
        var estimator = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", input, Small(), timestamp);

        var atShape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestData.Shape(data.Schema)));
        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual($"{message} (Parameter 'inputSchema')", atShape.Message);
        Assert.AreEqual(atShape.Message, atFit.Message);
    }

    [TestMethod]
    public void AHistoryTooShortForTheDetectorGivesItsError()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(Load(mlContext, Series(0, 4))));

        Assert.AreEqual("Anomaly detector history: expected at least 5 points, enough for 4 training windows of 2, found 4. (Parameter 'history')", e.Message);
    }

    [TestMethod]
    public void DataShorterThanTheWarmUpIsScoredWithZeroScores()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);

        var later = Series(HistoryPoints, 10);
        later[5].Value += 3f;

        var scores = Scores(detector.Transform(Load(mlContext, later)));

        Assert.HasCount(10, scores);
        Assert.IsTrue(scores.All(s => s[0] == 0f && s[1] == 0f), "alert and score 0 while the error history warms up");
        // The errors are real meanwhile. Measured: 19.8 at the spike, at most 0.035 before it.
        Assert.IsGreaterThan(100 * scores[..5].Max(s => s[2]), scores[5][2]);
    }

    [TestMethod]
    public void ItRunsInAPipelineAfterACopyOfItsColumn()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryPoints));
        var later = Load(mlContext, WithSpike(Series(HistoryPoints, 120)));
        var pipeline = mlContext.Transforms.CopyColumns("Reading", "Value")
            .Append(mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Reading", Small()));
        using var detector = FitOnHistory(mlContext);

        using var model = pipeline.Fit(history);
        var scored = model.Transform(later);

        var anomaly = pipeline.GetOutputSchema(TestData.Shape(history.Schema)).Single(c => c.Name == "Anomaly");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, anomaly.Kind);
        Assert.AreEqual(NumberDataViewType.Single, anomaly.ItemType);
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        scored.Schema["Anomaly"].GetSlotNames(ref slotNames);
        CollectionAssert.AreEqual(new[] { "Alert", "Score", "Error" }, slotNames.DenseValues().Select(n => n.ToString()).ToArray());
        var rows = mlContext.Data.CreateEnumerable<ScoredReading>(scored, reuseRowObject: false).ToArray();
        AssertSameRows(Scores(detector.Transform(later)), [.. rows.Select(r => r.Anomaly)]);
        Assert.AreEqual(1f, rows[SpikeRow].Anomaly[0]);
    }

    [TestMethod]
    public void ThereIsNoRowToRowMapper()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);

        var e = Assert.ThrowsExactly<NotSupportedException>(() => detector.GetRowToRowMapper(Load(mlContext, Series(0, 1)).Schema));

        Assert.IsFalse(detector.IsRowToRowMapper);
        Assert.AreEqual("DetectAnomalyByLstm scores a series in row order, each row from the state the rows before it left, so it cannot map a row on its own: it has no row-to-row mapper, and PredictionEngine is not supported. Transform the rows in order, or stream live points through mlContext.AnomalyDetection.CreateLstmDetector's engine.", e.Message);
    }

    [TestMethod]
    public void EachCursorsEngineIsFreedWithTheCursor()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = FitOnHistory(mlContext);
        var scored = detector.Transform(Load(mlContext, Series(HistoryPoints, 20)));

        var first = scored.GetRowCursor(scored.Schema);
        var second = scored.GetRowCursor([scored.Schema["Anomaly"]]);
        var valuesOnly = scored.GetRowCursor([scored.Schema["Value"]]);
        int open = detector.OpenEngines;
        first.Dispose();
        second.Dispose();
        valuesOnly.Dispose();
        Scores(scored);

        Assert.AreEqual(2, open, "one engine per cursor that reads the scores");
        Assert.AreEqual(0, detector.OpenEngines);
    }

    [TestMethod]
    public void ADisposedDetectorRefusesNewCursorsWhileOpenOnesRunToTheirEnd()
    {
        var mlContext = new MLContext(seed: 1);
        var detector = FitOnHistory(mlContext);
        var scored = detector.Transform(Load(mlContext, Series(HistoryPoints, 20)));
        var expected = Scores(scored);
        using var open = scored.GetRowCursor(scored.Schema);

        detector.Dispose();
        detector.Dispose();

        AssertSameRows(expected, ReadAll(open));
        Assert.ThrowsExactly<ObjectDisposedException>(() => scored.GetRowCursor(scored.Schema));
        Assert.HasCount(20, scored.GetColumn<float>("Value").ToArray());
    }

    private sealed class ValueRow
    {
        public float Value { get; set; }
    }

    private sealed class Reading
    {
        public float Value { get; set; }

        public float Other { get; set; }

        public DateTime Time { get; set; }

        public long Tick { get; set; }
    }

    private sealed class TickReading
    {
        public float Value { get; set; }

        public long Time { get; set; }
    }

    private sealed class OddReading
    {
        public float Value { get; set; }

        public double Level { get; set; }

        [VectorType(3)]
        public float[] Window { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private sealed class ScoredReading
    {
        [VectorType(3)]
        public float[] Anomaly { get; set; } = [];
    }
}

using System.Globalization;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Evaluation;
using MLNet.Lstm.Onnx;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Surfaces a hostile caller reaches first: a machine whose culture writes decimal commas, LSTM
/// nodes laid out or run in ways the featurizer does not read, one model.zip loaded by many
/// threads at once, a thousand-class label, one time-series engine shared by threads, and NAB
/// windows that overlap or leave their series. Each is read as meant or refused naming what is wrong.
/// </summary>
[TestClass]
public sealed class HostileSurfaceTests
{
    // ---- Culture ----

    /// <summary>
    /// de-DE's number and date formats. The tests run in globalization-invariant mode
    /// (Directory.Build.props), where <c>new CultureInfo("de-DE")</c> throws CultureNotFoundException,
    /// so the invariant culture is given what de-DE writes differently; an application using the
    /// library has no such mode and gets the real one.
    /// </summary>
    private static CultureInfo German()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.PositiveInfinitySymbol = "∞";
        culture.NumberFormat.NegativeInfinitySymbol = "-∞";
        culture.DateTimeFormat.DateSeparator = ".";
        culture.DateTimeFormat.ShortDatePattern = "dd.MM.yyyy";
        culture.DateTimeFormat.LongTimePattern = "HH:mm:ss";
        return culture;
    }

    private static T InGerman<T>(Func<T> action)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = German();
        try
        {
            // So that a pass is not vacuous: the culture in effect does write a decimal comma.
            Assert.AreEqual("1,5", 1.5f.ToString(CultureInfo.CurrentCulture));
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }

    [TestMethod]
    public void TsFileValuesWithDecimalPointsAreReadAsWrittenUnderAGermanCulture()
    {
        string folder = Directory.CreateTempSubdirectory("lstm-surface").FullName;
        try
        {
            string path = Path.Combine(folder, "data.ts");
            File.WriteAllText(path, "@data\n1.5,2.25\n3.125,-0.5\n");

            var sequences = InGerman(() => new MLContext(seed: 1).Data.LoadFromTsFile(path).GetColumn<float[]>("Sequence").ToArray());

            CollectionAssert.AreEqual(new[] { 1.5f, 2.25f }, sequences[0]);
            CollectionAssert.AreEqual(new[] { 3.125f, -0.5f }, sequences[1]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AnEngineMessageUnderAGermanCulturePrintsTheOverflowingValueWithADecimalPoint()
    {
        using var engine = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 2).CreateTimeSeriesEngine();
        engine.Predict(0.5f);

        var e = InGerman(() => Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(1.5e20f)));

        Assert.AreEqual("Point 1: its values (1.5E+20) are too large for the model's scaling: its forecast error (a float) would stop being finite. The engine's state is unchanged. (Parameter 'point')", e.Message);
    }

    [TestMethod]
    public void ATrainingOptionMessageUnderAGermanCulturePrintsTheRefusedValueWithADecimalPoint()
    {
        var options = new LstmTrainingOptions { Dropout = 1.5f };

        var e = InGerman(() => Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.LstmFeaturizeSequence(options)));

        Assert.AreEqual("LstmTrainingOptions.Dropout: expected a share from 0 up to (not including) 1, found 1.5. (Parameter 'Dropout')", e.Message);
    }

    [TestMethod]
    public void ASizeMessageUnderAGermanCulturePrintsItsThousandsWithCommas()
    {
        var telemetry = new MLContext(seed: 1).Data.LoadFromEnumerable(new[] { new Point { A = 1, B = 2 } });

        var e = InGerman(() => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Data.CreateSlidingWindows(telemetry, ["A", "B"], windowSize: 1_500_000_000)));

        Assert.AreEqual("Sliding windows: 1,500,000,000 steps of 2 values are 3,000,000,000 values a window; expected at most 2,147,483,591, the largest vector one row holds. (Parameter 'windowSize')", e.Message);
    }

    private sealed class Point
    {
        public float A { get; set; }

        public float B { get; set; }
    }

    [TestMethod]
    public void NabCorpusValuesWithDecimalPointsAreReadAsWrittenUnderAGermanCulture()
    {
        string root = Directory.CreateTempSubdirectory("nab-surface").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "data", "cat"));
            Directory.CreateDirectory(Path.Combine(root, "labels"));
            File.WriteAllText(Path.Combine(root, "data", "cat", "a.csv"),
                "timestamp,value\n2024-01-01 00:00:00,1.5\n2024-01-01 00:01:00,2.25\n2024-01-01 00:02:00,-3.125\n");
            File.WriteAllText(Path.Combine(root, "labels", "combined_windows.json"),
                """{"cat/a.csv": [["2024-01-01 00:01:00.000000", "2024-01-01 00:02:00.000000"]]}""");

            var series = InGerman(() => NabCorpus.Load(root)).Single();

            CollectionAssert.AreEqual(new[] { 1.5, 2.25, -3.125 }, series.Values.ToArray());
            Assert.AreEqual(new NabWindow(new DateTime(2024, 1, 1, 0, 1, 0), new DateTime(2024, 1, 1, 0, 2, 0)), series.Windows.Single());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // ---- LSTM nodes the featurizer does not read ----

    private static InvalidDataException RefusedWithLstmAttribute(AttributeProto attribute)
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(1, 4, seed: 2).ToOnnxBytes());
        var lstm = proto.Graph.Node.First(n => n.OpType == "LSTM");
        if (lstm.Attribute.FirstOrDefault(a => a.Name == attribute.Name) is { } existing)
        {
            lstm.Attribute.Remove(existing);
        }
        lstm.Attribute.Add(attribute);
        return Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));
    }

    [TestMethod]
    public void AnLstmNodeWithBatchMajorLayoutIsRefused()
    {
        // ONNX Runtime 1.32's CPU LSTM throws "Batchwise recurrent operations (layout == 1) are not supported"
        // when such a session is created, so refusing at load is what the message says it is.
        var e = RefusedWithLstmAttribute(OnnxTensors.Int("layout", 1));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: LSTM node 'lstm0' uses layout 1 (batch-major), which ONNX Runtime's CPU LSTM rejects; export it with layout 0.", e.Message);
    }

    [TestMethod]
    public void AnLstmNodeRunningInReverseIsRefused()
    {
        var e = RefusedWithLstmAttribute(new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("reverse") });

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: LSTM node 'lstm0' has direction 'reverse'; forward or bidirectional is supported.", e.Message);
    }

    // ---- model.zip under concurrent loads ----

    private static int[][] FeatureBits(MLContext mlContext, string zip, float[][][] sequences)
    {
        using var loaded = (LstmFeaturizerTransformer)mlContext.Model.Load(zip, out _);
        return [.. TestData.Features(loaded.Transform(TestData.Sequences(mlContext, sequences)))
            .Select(row => row.Select(BitConverter.SingleToInt32Bits).ToArray())];
    }

    [TestMethod]
    public void OneModelZipLoadedBySixteenThreadsAtOnceGivesTheSingleThreadedFeaturesBitForBit()
    {
        var sequences = TestData.Random(count: 40, steps: 12, features: 2, seed: 11);
        string folder = Directory.CreateTempSubdirectory("lstm-surface").FullName;
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            var mlContext = new MLContext(seed: 1);
            var data = TestData.Sequences(mlContext, sequences);
            using (var fitted = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(2, 16, numLayers: 2, seed: 11)).Fit(data))
            {
                mlContext.Model.Save(fitted, data.Schema, zip);
            }
            var expected = FeatureBits(new MLContext(seed: 1), zip, sequences);

            var results = new int[16][][];
            Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i => results[i] = FeatureBits(new MLContext(seed: 1), zip, sequences));

            Assert.HasCount(40, expected);
            for (int i = 0; i < 16; i++)
            {
                Assert.HasCount(expected.Length, results[i], $"thread {i}");
                for (int row = 0; row < expected.Length; row++)
                {
                    CollectionAssert.AreEqual(expected[row], results[i][row], $"thread {i}, row {row}");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // ---- A thousand classes ----


    [TestMethod]
    public void AKeyLabelOfAThousandClassesTrainsAHeadOfAThousandOutputs()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(mlContext, 2000, steps: 4, i => $"c{i / 2}", seed: 4);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
            Epochs = 1,
            ConvChannels = [],
        }).Fit(data);

        var weights = transformer.Model.GetWeights();
        Assert.AreEqual(1000, weights.OutputSize);
        Assert.HasCount(1000, weights.HeadBias!);
    }

    // ---- One engine shared by threads ----

    [TestMethod]
    public void EightThreadsPredictingOnOneEngineAreServedOneAtATimeInSomeOrder()
    {
        const int Threads = 8, PerThread = 50;
        var model = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 2);
        // Distinct points, so that each call's (score, error) tells which point the engine took next.
        float[][] points = [.. Enumerable.Range(0, Threads).Select(k => Enumerable.Range(0, PerThread).Select(i => MathF.Sin(0.3f * (k * PerThread + i)) + 1e-3f * (k * PerThread + i)).ToArray())];
        var calls = new LstmTimeSeriesPrediction[Threads][];
        using var engine = model.CreateTimeSeriesEngine();
        using var start = new Barrier(Threads);

        // A thread each (LongRunning), so that all of them meet at the barrier; a thread-pool loop may run
        // several on one thread, which would wait there for ever.
        Task.WaitAll([.. Enumerable.Range(0, Threads).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            // Yielding after each call lets the others in, so that the calls interleave rather than run thread by thread.
            calls[k] = [.. points[k].Select(point =>
            {
                var prediction = engine.Predict(point);
                Thread.Yield();
                return prediction;
            })];
        }, TaskCreationOptions.LongRunning))]);

        Assert.AreEqual(Threads * PerThread, engine.Points);
        // No lock is taken around Predict here, which would serialise the calls for the engine. Instead the
        // engine's order is recovered: some interleaving of the threads' own orders must, replayed on a
        // fresh engine one point at a time, give every call's prediction, step by step.
        using var replay = model.CreateTimeSeriesEngine();
        var next = new int[Threads];
        for (int step = 0; step < Threads * PerThread; step++)
        {
            using var before = new MemoryStream();
            replay.CheckPoint(before);
            int taken = -1;
            for (int k = 0; k < Threads && taken < 0; k++)
            {
                if (next[k] == PerThread)
                {
                    continue;
                }
                if (replay.Predict(points[k][next[k]]) == calls[k][next[k]])
                {
                    taken = k;
                }
                else
                {
                    before.Position = 0;
                    replay.Restore(before);
                }
            }
            Assert.AreNotEqual(-1, taken, $"step {step}: no thread's next call has the prediction a serial engine gives");
            next[taken]++;
        }
        CollectionAssert.AreEqual(replay.HiddenState, engine.HiddenState);
        CollectionAssert.AreEqual(replay.CellState, engine.CellState);
    }

    // ---- NAB windows ----

    private static readonly DateTime Start = new(2024, 1, 1);

    private static DateTime[] Times(int rows) => [.. Enumerable.Range(0, rows).Select(i => Start.AddMinutes(i))];

    private static ArgumentException RefusedWindows(params NabWindow[] windows) =>
        Assert.ThrowsExactly<ArgumentException>(() => new NabSeries("cat/s.csv", Times(100), new double[100], windows));

    [TestMethod]
    [DataRow(15, 25, DisplayName = "overlapping the end")]
    [DataRow(20, 30, DisplayName = "sharing the last row")]
    [DataRow(12, 18, DisplayName = "nested")]
    [DataRow(2, 5, DisplayName = "before it")]
    public void AWindowThatDoesNotStartAfterThePreviousOneEndsIsRefused(int start, int end)
    {
        var e = RefusedWindows(new NabWindow(Start.AddMinutes(10), Start.AddMinutes(20)), new NabWindow(Start.AddMinutes(start), Start.AddMinutes(end)));

        Assert.AreEqual($"NAB series 'cat/s.csv', window 1: it starts at 2024-01-01 00:{start:00}:00 (row {start}), not after the end of window 0 (row 20); expected the windows in time order, without overlap.", e.Message);
    }

    [TestMethod]
    public void AWindowStartingBeforeTheFirstRowIsRefused()
    {
        var e = RefusedWindows(new NabWindow(Start.AddMinutes(-5), Start.AddMinutes(3)));

        Assert.AreEqual("NAB series 'cat/s.csv', window 0: its start 2023-12-31 23:55:00 matches no row's timestamp; expected each window to start and end on a row of the series.", e.Message);
    }

    [TestMethod]
    public void AWindowEndingAfterTheLastRowIsRefused()
    {
        var e = RefusedWindows(new NabWindow(Start.AddMinutes(95), Start.AddMinutes(120)));

        Assert.AreEqual("NAB series 'cat/s.csv', window 0: its end 2024-01-01 02:00:00 matches no row's timestamp; expected each window to start and end on a row of the series.", e.Message);
    }
}

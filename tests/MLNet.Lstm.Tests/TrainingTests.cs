using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>The featurizer trains its LSTM inside Fit: PyTorch's result reproduced, and real learning.</summary>
[TestClass]
public sealed class TrainingTests
{
    [TestMethod]
    [DataRow("train_classify")]
    [DataRow("train_next_step")]
    public void TrainingFromPyTorchsInitialModelEndsAtPyTorchsTrainedModel(string fixtureName)
    {
        var fixture = TrainingFixture.Load(fixtureName);
        var mlContext = new MLContext(seed: 1);
        var data = FixtureData(mlContext, fixture);
        var training = new LstmTrainingOptions
        {
            Objective = fixture.Objective,
            LabelColumnName = fixture.Objective == LstmObjective.Classification ? "Label" : null,
            InitialModel = LstmModel.FromOnnx(fixture.InitialOnnx),
            Epochs = fixture.Epochs,
            BatchSize = fixture.BatchSize,
            LearningRate = fixture.LearningRate,
            // PyTorch's run: plain Adam at a constant rate, no dropout, no clipping.
            LearningRateSchedule = LstmLearningRateSchedule.Constant,
            WeightDecay = 0,
            Dropout = 0,
            GradientClipNorm = null,
            Shuffle = false,
            ValidationFraction = 0,
            EarlyStoppingPatience = null,
        };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden }).Fit(data);
        using var head = mlContext.Transforms.LstmFeaturizeSequence(transformer.Model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput, OutputColumnName = "Output" }).Fit(data);

        Assertions.AreClose(fixture.LastHidden, TestData.Features(transformer.Transform(data)), 1e-3);
        Assertions.AreClose(fixture.Output, TestData.Features(head.Transform(data), "Output"), 1e-3);
    }

    [TestMethod]
    public void TrainedFeaturizerLearnsALongRangeDependencyThatARandomOneCannot()
    {
        const int Steps = 50;
        var mlContext = new MLContext(seed: 1);
        var train = FirstStepSign(mlContext, 600, Steps, seed: 1);
        var test = FirstStepSign(mlContext, 300, Steps, seed: 2);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 16,
            Epochs = 20,
            LearningRate = 1e-2f,
            // A forget gate starting near σ(3) = 0.95 keeps the first step's trace alive for 50
            // steps, so its gradient is large enough to learn from (see ForgetGateBias).
            ForgetGateBias = 3f,
            Seed = 1,
            // The last step alone: the mean and max over time would see the first step without any memory,
            // and so would a convolutional branch's mean over time; this is the LSTM's memory alone.
            HeadInput = LstmHeadInput.LastStep,
            ConvChannels = [],
        };
        var lastHidden = new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden };

        double trained = Accuracy(mlContext, mlContext.Transforms.LstmFeaturizeSequence(training, lastHidden), train, test);
        double random = Accuracy(mlContext, mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 1), lastHidden), train, test);

        // Measured 2026-11-24 on 2 cores: trained 0.997, random 0.437.
        Console.WriteLine($"trained {trained:F3}, random {random:F3}");
        Assert.IsGreaterThanOrEqualTo(0.95, trained);
        Assert.IsLessThanOrEqualTo(0.65, random);
    }

    [TestMethod]
    public void NextStepTrainedOnNormalWindowsScoresSpikesAndLevelShiftsAsAnomalies()
    {
        const int Steps = 40;
        var mlContext = new MLContext(seed: 1);
        var normal = TestData.Sequences(mlContext, Windows(300, Steps, seed: 1, anomalies: false), Steps);
        var test = Windows(200, Steps, seed: 2, anomalies: true);
        var training = new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 16, Epochs = 20, LearningRate = 1e-2f, Seed = 1 };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError, OutputColumnName = "Score" }).Fit(normal);
        var scores = TestData.Features(transformer.Transform(TestData.Sequences(mlContext, test, Steps)), "Score").Select(s => (double)s[0]).ToArray();

        double auc = AreaUnderRocCurve(scores, [.. test.Select(r => r.Label)]);
        // Measured 2026-11-24: 1.000.
        Console.WriteLine($"next-step anomaly AUC {auc:F3}");
        Assert.IsGreaterThanOrEqualTo(0.95, auc);
    }

    /// <summary>Noisy sine windows; with anomalies, every other window (label true) has a spike or a level shift.</summary>
    private static List<SequenceRow> Windows(int count, int steps, int seed, bool anomalies)
    {
        var random = new Random(seed);
        var rows = new List<SequenceRow>();
        for (int n = 0; n < count; n++)
        {
            double frequency = 0.05 + random.NextDouble() * 0.1;
            double phase = random.NextDouble() * 2 * Math.PI;
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                sequence[t] = (float)(Math.Sin(2 * Math.PI * frequency * t + phase) + 0.05 * (random.NextDouble() - 0.5));
            }
            bool anomalous = anomalies && n % 2 == 1;
            if (anomalous)
            {
                int at = 5 + random.Next(steps - 10);
                if (n % 4 == 1)
                {
                    sequence[at] += 2.5f;
                }
                else
                {
                    for (int t = at; t < steps; t++)
                    {
                        sequence[t] += 1.5f;
                    }
                }
            }
            rows.Add(new SequenceRow { Sequence = sequence, Label = anomalous, Id = n });
        }
        return rows;
    }

    /// <summary>The probability that an anomalous row scores above a normal one (Mann–Whitney).</summary>
    private static double AreaUnderRocCurve(double[] scores, bool[] labels)
    {
        double wins = 0;
        int pairs = 0;
        for (int a = 0; a < scores.Length; a++)
        {
            if (!labels[a])
            {
                continue;
            }
            for (int b = 0; b < scores.Length; b++)
            {
                if (labels[b])
                {
                    continue;
                }
                wins += scores[a] > scores[b] ? 1 : scores[a] == scores[b] ? 0.5 : 0;
                pairs++;
            }
        }
        return wins / pairs;
    }

    [TestMethod]
    public void SameOptionsSeedAndDataGiveBitIdenticalWeights()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, Windows(64, 20, seed: 3, anomalies: false), 20);
        var training = new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 8, NumLayers = 2, Epochs = 3, Seed = 7 };

        using var first = mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var second = mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data);

        CollectionAssert.AreEqual(first.Model.ToOnnxBytes(), second.Model.ToOnnxBytes());
    }

    [TestMethod]
    public void ProgressReportsEveryEpochWithItsLosses()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, Windows(40, 10, seed: 4, anomalies: false), 10);
        var reports = new List<LstmTrainingProgress>();
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.NextStep,
            HiddenSize = 4,
            Epochs = 3,
            ValidationFraction = 0.1,
            EarlyStoppingPatience = null,
            Progress = new SynchronousProgress(reports.Add),
        };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data);

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.Loss > 0 && double.IsFinite(r.Loss) && r.ValidationLoss is > 0));
        Assert.IsLessThan(reports[0].Loss, reports[2].Loss);
    }

    [TestMethod]
    public void ClassificationWithoutALabelColumnIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification }));

        Assert.AreEqual("LstmTrainingOptions.LabelColumnName: the Classification objective needs a label column, found none. (Parameter 'LabelColumnName')", e.Message);
    }

    [TestMethod]
    public void ClassificationLabelThatIsNotAKeyOrBooleanIsRefusedAtFit()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(4, 5, 1, seed: 1));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Id" });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Label column 'Id': the Classification objective expects a key type (MapValueToKey) or Boolean, found Int32. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    [DataRow(nameof(LstmTrainingOptions.Epochs), "LstmTrainingOptions.Epochs: expected null (chosen from the data size) or at least 1, found 0. (Parameter 'Epochs')")]
    [DataRow(nameof(LstmTrainingOptions.LearningRate), "LstmTrainingOptions.LearningRate: expected a positive rate, found 0. (Parameter 'LearningRate')")]
    [DataRow(nameof(LstmTrainingOptions.ValidationFraction), "LstmTrainingOptions.ValidationFraction: expected null (chosen from the data size) or a share from 0 up to (not including) 1, found 1. (Parameter 'ValidationFraction')")]
    public void OutOfRangeTrainingOptionIsRefusedWithItsName(string option, string message)
    {
        var mlContext = new MLContext(seed: 1);
        var training = new LstmTrainingOptions();
        switch (option)
        {
            case nameof(LstmTrainingOptions.Epochs): training.Epochs = 0; break;
            case nameof(LstmTrainingOptions.LearningRate): training.LearningRate = 0; break;
            default: training.ValidationFraction = 1; break;
        }

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(training));

        Assert.AreEqual(message, e.Message);
    }

    [TestMethod]
    public void BidirectionalNextStepIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.NextStep, Bidirectional = true }));

        Assert.AreEqual("LstmTrainingOptions.Bidirectional: the NextStep objective predicts the next step, which a backward direction has already read; expected false, found true. (Parameter 'Bidirectional')", e.Message);
    }

    [TestMethod]
    public void CancellingTheTokenStopsTraining()
    {
        var mlContext = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var data = TestData.Sequences(mlContext, Windows(200, 30, seed: 5, anomalies: false), 30);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.NextStep,
            HiddenSize = 8,
            Epochs = 1000,
            EarlyStoppingPatience = null,
            CancellationToken = cancellation.Token,
            Progress = new SynchronousProgress(p =>
            {
                if (p.Epoch == 2)
                {
                    cancellation.Cancel();
                }
            }),
        };

        Assert.Throws<OperationCanceledException>(() => mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data));
    }

    [TestMethod]
    public void AnEstimatorWhoseTokenWasCancelledRefusesAtOnceAndANewEstimatorTrains()
    {
        var mlContext = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var data = TestData.Sequences(mlContext, Windows(40, 12, seed: 5, anomalies: false), 12);
        var training = new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 4, Epochs = 2, CancellationToken = cancellation.Token };
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(training);
        cancellation.Cancel();
        var epochs = new List<int>();
        training.CancellationToken = CancellationToken.None;
        training.Progress = new SynchronousProgress(p => epochs.Add(p.Epoch));

        var e = Assert.ThrowsExactly<OperationCanceledException>(() => estimator.Fit(data));
        using var retrained = mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data);

        Assert.AreEqual(cancellation.Token, e.CancellationToken);
        CollectionAssert.AreEqual(new[] { 1, 2 }, epochs);
    }

    [TestMethod]
    public void AnExceptionFromAProgressHandlerLeavesFitUnchanged()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, Windows(40, 12, seed: 5, anomalies: false), 12);
        var thrown = new InvalidOperationException("the handler's own failure");
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.NextStep,
            HiddenSize = 4,
            Epochs = 3,
            Progress = new SynchronousProgress(p => throw thrown),
        };

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data));

        Assert.AreSame(thrown, e);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<LstmTrainingProgress> report) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value) => report(value);
    }

    private static double Accuracy(MLContext mlContext, LstmFeaturizerEstimator featurizer, IDataView train, IDataView test)
    {
        var pipeline = featurizer
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        using var model = pipeline.Fit(train);
        return mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
    }

    /// <summary>
    /// Noise sequences whose class is the sign of the first step alone: the answer has to be
    /// carried through every later step to the end, where the representation is read.
    /// </summary>
    private static IDataView FirstStepSign(MLContext mlContext, int count, int steps, int seed)
    {
        var random = new Random(seed);
        var rows = new List<LabelledRow>();
        for (int n = 0; n < count; n++)
        {
            bool positive = n % 2 == 0;
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                sequence[t] = (float)(random.NextDouble() * 2 - 1);
            }
            sequence[0] = positive ? 1f : -1f;
            rows.Add(new LabelledRow { Sequence = sequence, Label = positive ? 1u : 0u });
        }
        var schema = SchemaDefinition.Create(typeof(LabelledRow));
        schema[nameof(LabelledRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps);
        schema[nameof(LabelledRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), 2);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    internal static IDataView FixtureData(MLContext mlContext, TrainingFixture fixture)
    {
        int length = fixture.Input[0].Length * fixture.Input[0][0].Length;
        var rows = fixture.Input.Select((s, i) => new LabelledRow
        {
            Sequence = [.. s.SelectMany(step => step)],
            // LoadFromEnumerable stores a key column's value v as key v + 1 (0 stays for missing).
            Label = fixture.Labels.Length > 0 ? (uint)fixture.Labels[i] : 0,
        });
        var schema = SchemaDefinition.Create(typeof(LabelledRow));
        schema[nameof(LabelledRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        schema[nameof(LabelledRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(fixture.Labels.DefaultIfEmpty(0).Max() + 1, 1));
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    internal sealed class LabelledRow
    {
        public float[] Sequence { get; set; } = [];

        public uint Label { get; set; }
    }
}

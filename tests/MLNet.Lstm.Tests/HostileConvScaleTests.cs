using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;
using static MLNet.Lstm.Tests.Support.ConvBranchModels;

namespace MLNet.Lstm.Tests;

/// <summary>Hostile probes of the branch's own pooling scale (ConvMaxSteps, ConvPoolingStride) and of training-batch augmentation.</summary>
[TestClass]
public sealed class HostileConvScaleTests
{
    private sealed class VarRow
    {
        public float[] Sequence { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class RegRow
    {
        public float[] Sequence { get; set; } = [];

        public float Label { get; set; }
    }

    private static IDataView VariableRows(MLContext ml, int[] lengths, int seed)
    {
        var random = new Random(seed);
        var rows = lengths.Select((length, i) => new VarRow
        {
            Sequence = [.. Enumerable.Range(0, length).Select(t => (float)((i % 2 == 0 ? Math.Sin(0.4 * t) : Math.Sign(Math.Sin(0.4 * t))) + 0.05 * random.NextDouble()))],
            Label = i % 2 == 1,
        });
        return ml.Data.LoadFromEnumerable(rows);
    }

    // ---------------------------------------------------------------- variable-length rows

    [TestMethod]
    public void VariableLengthRowsBatchByBothLengthsAndEachRowGetsItsOwnConvInput()
    {
        var ml = new MLContext(seed: 1);
        int[] lengths = [13, 16, 14, 2, 15, 3, 13, 1, 16, 5];
        var data = VariableRows(ml, lengths, seed: 3);
        var set = TrainingSet.Read(data, Lstm.Data.SequenceInputBinding.Create(data.Schema, new LstmFeaturizerOptions(), inputSize: 1), ClassificationObjective.Instance, "Label");
        set.OutputSize = 2;
        var raw = Enumerable.Range(0, lengths.Length).Select(r => set.Batch([r]).Inputs.ToArray()).ToArray();
        var weights = new LstmWeights(1, 4, outputSize: 2, convChannels: [2], convKernelSizes: [1]) { PoolingStride = 4, ConvPoolingStride = 3 };
        set.Preprocess(weights);
        int[] rows = [.. Enumerable.Range(0, lengths.Length)];

        var groups = set.Batches(rows, batchSize: 10).Select(g => g.ToArray()).ToArray();

        // (LSTM steps, branch steps): 13 → (4, 5), 16 → (4, 6), 14 → (4, 5), 2 → (1, 1), 15 → (4, 5), 3 → (1, 1), 1 → (1, 1), 5 → (2, 2)
        CollectionAssert.AreEqual(new[] { "0,2,4,6", "1,8", "3,5,7", "9" }, groups.Select(g => string.Join(",", g)).ToArray());
        foreach (var group in groups)
        {
            var batch = set.Batch(group);
            for (int r = 0; r < group.Length; r++)
            {
                var expected = ScaledAndPooled(weights, [.. raw[group[r]].Select(v => new[] { v })], 3).Select(s => s[0]).ToArray();
                Assert.AreEqual(expected.Length, batch.ConvSteps, $"row {group[r]}");
                for (int t = 0; t < expected.Length; t++)
                {
                    Assert.AreEqual(expected[t], batch.ConvInputs[r * batch.ConvSteps + t], 1e-6, $"row {group[r]}, branch step {t}: the row reads its own pooled steps");
                }
            }
        }
    }

    [TestMethod]
    public void VariableLengthRowsShorterThanBothStridesTrainAndFeaturizeWithADistinctConvStride()
    {
        var ml = new MLContext(seed: 1);
        int[] lengths = [.. Enumerable.Range(0, 30).Select(i => i % 7 == 0 ? 1 + i % 3 : 20 + i)];
        var data = VariableRows(ml, lengths, seed: 4);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 2, MaxSteps = 4, ConvMaxSteps = 12,
        }).Fit(data);

        var weights = transformer.Model.GetWeights();
        var features = TestData.Features(transformer.Transform(data));

        Assert.AreEqual(8, weights.PoolingStride, "median 32 steps (rows of 1 to 49) down to 4");
        Assert.AreEqual(3, weights.ConvPoolingStride, "median 32 steps down to 12 (11 steps)");
        Assert.AreEqual(30, features.Length);
        Assert.IsTrue(features.All(row => row.All(float.IsFinite)));
    }

    // ---------------------------------------------------------------- one-row and two-row data

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void OneOrTwoRowDataIsRefusedBeforeAnyPoolingWithAClearMessage(int count)
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, count).Select(i => new RegRow { Sequence = [.. Enumerable.Range(0, 12).Select(t => (float)Math.Sin(t + i))], Label = i }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var estimator = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Regression, LabelColumnName = "Label", HiddenSize = 4, Epochs = 1, MaxSteps = 12, ConvMaxSteps = 3,
        });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(data));

        Assert.AreEqual($"LSTM training: the data holds {count} rows; expected at least 4 sequences to learn from.", e.Message);
    }

    // ---------------------------------------------------------------- ConvMaxSteps extremes

    [TestMethod]
    public void ConvMaxStepsOfOnePoolsTheBranchToOneStepAndShortensEveryKernelToOne()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 40, seed: 2), 40);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, MaxSteps = 10, ConvMaxSteps = 1, KernelFeatures = 0, StandardizeFeatures = false,
        }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(4, weights.PoolingStride);
        Assert.AreEqual(40, weights.ConvPoolingStride);
        CollectionAssert.AreEqual(new[] { 1, 1, 1 }, weights.ConvKernelSizes.ToArray());
        var sequences = TestData.SineOrSquare(3, 40, seed: 9).Select(r => r.Sequence.Select(v => new[] { v }).ToArray()).ToArray();
        var features = Featurize(transformer.Model, sequences);
        int offset = features[0].Length - weights.ConvChannels[^1];
        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, ScaledAndPooled(weights, sequences[n], 40));
            for (int c = 0; c < expected.Length; c++)
            {
                Assert.AreEqual(expected[c], features[n][offset + c], 1e-5, $"row {n}, channel {c}");
            }
        }
    }

    // ---------------------------------------------------------------- huge ConvPoolingStride

    [TestMethod]
    [DataRow(nameof(LstmWeights.ConvPoolingStride))]
    [DataRow(nameof(LstmWeights.PoolingStride))]
    public void AStrideOfIntMaxValueIsRefusedNamingTheLimitBeforeOnnxRuntimeFailsToShapeIt(string property)
    {
        var weights = property == nameof(LstmWeights.PoolingStride)
            ? new LstmWeights(RandomWeights()) { PoolingStride = int.MaxValue }
            : new LstmWeights(RandomWeights()) { ConvPoolingStride = int.MaxValue };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual($"LstmWeights.{property}: expected at most 16777216 (LstmDefaults.MaxPoolingStride), found 2147483647. (Parameter '{property}')", e.Message);
    }

    [TestMethod]
    public void FineTuningAModelWhoseBranchPoolsByTheLargestStrideKeepsItsStride()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        var start = new LstmWeights(1, 8, convChannels: [4], convKernelSizes: [1]) { PoolingStride = 4, ConvPoolingStride = LstmDefaults.MaxPoolingStride };
        Fill(start, seed: 3, shift: 0.3);

        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", Epochs = 1, InitialModel = LstmModel.FromWeights(start),
        }).Fit(data);

        Assert.AreEqual(LstmDefaults.MaxPoolingStride, transformer.Model.GetWeights().ConvPoolingStride);
    }

    // ---------------------------------------------------------------- ConvPoolingStride without a branch; copies

    [TestMethod]
    public void AConvStrideWithoutABranchIsHarmlessAndRoundTripsAsTheLstmsStride()
    {
        var weights = new LstmWeights(2, 6, outputSize: 3) { PoolingStride = 2, ConvPoolingStride = 5 };
        Fill(weights, seed: 1);
        var plain = new LstmWeights(weights) { ConvPoolingStride = 2 };
        var model = LstmModel.FromWeights(weights);

        var back = model.GetWeights();

        CollectionAssert.AreEqual(LstmModel.FromWeights(plain).ToOnnxBytes(), model.ToOnnxBytes(), "the stride is ignored without a branch");
        Assert.AreEqual(2, back.ConvPoolingStride, "read back as the LSTM's stride");
        CollectionAssert.AreEqual(model.ToOnnxBytes(), LstmModel.FromWeights(back).ToOnnxBytes());
    }

    [TestMethod]
    public void AZeroConvStrideWithoutABranchIsStillRefusedThoughItIsIgnored()
    {
        var weights = new LstmWeights(2, 6, outputSize: 3) { PoolingStride = 2, ConvPoolingStride = 0 };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        StringAssert.StartsWith(e.Message, "LstmWeights.ConvPoolingStride: expected at least 1, found 0");
    }

    [TestMethod]
    public void ACopyGivenANewLstmStrideKeepsItsBranchFollowingTheLstm()
    {
        var source = RandomWeights();
        Assert.AreEqual(2, source.ConvPoolingStride, "the source's branch follows the LSTM");

        var copy = new LstmWeights(source) { PoolingStride = 4 };
        var graph = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(copy).ToOnnxBytes()).Graph;

        Assert.AreEqual(4, copy.ConvPoolingStride, "a branch that followed the LSTM's stride should still follow it in a copy");
        Assert.IsFalse(graph.Node.Any(n => n.Name == "conv_time_pool"));
    }

    // ---------------------------------------------------------------- model.zip, ConvertToOnnx, int8

    [TestMethod]
    public void ModelZipKeepsADistinctConvStrideAndItsNumbers()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.Random(10, 9, 2, seed: 4));
        var model = LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = 3 });
        using var transformer = ml.Transforms.LstmFeaturizeSequence(model).Fit(data);
        using var zip = new MemoryStream();
        ml.Model.Save(transformer, data.Schema, zip);
        zip.Position = 0;

        var loaded = ml.Model.Load(zip, out _);

        Assert.AreEqual(3, ((LstmFeaturizerTransformer)loaded).Model.GetWeights().ConvPoolingStride);
        var expected = TestData.Features(transformer.Transform(data));
        var actual = TestData.Features(loaded.Transform(data));
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], actual[i]);
        }
        ((IDisposable)loaded).Dispose();
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(5)]
    public void ConvertToOnnxExportsADistinctConvStrideWithTheSameNumbers(int convStride)
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(40, 24, seed: 3);
        var data = TestData.Sequences(ml, rows, 24);
        var weights = new LstmWeights(1, 4, outputSize: 2, convChannels: [3, 2], convKernelSizes: [3, 2]) { PoolingStride = 2, ConvPoolingStride = convStride };
        Fill(weights, seed: 2);
        var pipeline = ml.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(weights)).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(pipeline, data, stream);
        var exported = ModelProto.Parser.ParseFrom(stream.ToArray());

        Assert.AreEqual(convStride > 1 ? 2 : 1, exported.Graph.Node.Count(n => n.OpType == "AveragePool"));
        Assert.IsLessThanOrEqualTo(12L, exported.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        var exportedFeatures = ExportedFeatures.Run(stream.ToArray(), rows, 24);
        var expected = TestData.Features(pipeline.Transform(data));
        Assertions.AreClose(expected, exportedFeatures, 1e-5);
        pipeline.Dispose();
    }

    [TestMethod]
    public void Int8WithADistinctConvStrideLeavesTheBranchBitIdentical()
    {
        var model = LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = 3 });
        var sequences = TestData.Random(6, 12, 2, seed: 5);
        var fp32 = Featurize(model, sequences);
        var int8 = Featurize(model, sequences, new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 });
        var graph = ModelProto.Parser.ParseFrom(model.ToRepresentationGraph(LstmRepresentation.LastMeanMax, LstmPrecision.Int8).Onnx).Graph;

        Assert.AreEqual(1, graph.Node.Count(n => n.Name == "conv_time_pool"));
        for (int n = 0; n < sequences.Length; n++)
        {
            CollectionAssert.AreEqual(fp32[n][18..], int8[n][18..], $"row {n}");
        }
    }

    // ---------------------------------------------------------------- malformed graphs

    private static ModelProto ProtoWithConvPool(int convStride = 3) =>
        ModelProto.Parser.ParseFrom(LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = convStride }).ToOnnxBytes());

    private const string PoolRefusal = "ONNX model 'stream': AveragePool node 'conv_time_pool' has other attributes than the branch's pooling (kernel_shape equal to strides, ceil_mode 1, no pads), which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, " +
        "so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it.";

    [TestMethod]
    public void AConvPoolWithPadsIsRefusedByGetWeights()
    {
        var proto = ProtoWithConvPool();
        var pool = proto.Graph.Node.Single(n => n.Name == "conv_time_pool");
        pool.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1 } });
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        Assert.AreEqual(PoolRefusal, e.Message);
    }

    [TestMethod]
    public void AConvPoolWithAutoPadSameLowerIsRefusedByGetWeights()
    {
        var proto = ProtoWithConvPool();
        var pool = proto.Graph.Node.Single(n => n.Name == "conv_time_pool");
        pool.Attribute.Add(new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_LOWER") });
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));
        var sequences = TestData.Random(2, 8, 2, seed: 1);
        var asRun = Featurize(model, sequences);
        var asCarried = Featurize(LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = 3 }), sequences);
        Assert.AreNotEqual(asCarried[0][18], asRun[0][18], "auto_pad SAME_LOWER shifts the windows: the graph computes something else than the weights");

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        Assert.AreEqual(PoolRefusal, e.Message);
    }

    [TestMethod]
    public void AConvPoolUnderAnotherNameIsRefusedByGetWeights()
    {
        var proto = ProtoWithConvPool();
        proto.Graph.Node.Single(n => n.Name == "conv_time_pool").Name = "my_pool";
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': Conv node 'conv0' has an input 'conv_input' that is neither the LSTM's input 'x_time_major' turned channels-first (Transpose, perm [1, 2, 0]) " +
            "nor the scaled input 'x_scaled' turned channels-first (perm [0, 2, 1]), pooled or not by 'conv_time_pool'");
    }

    [TestMethod]
    public void AConvPoolReadingTheUnscaledInputIsRefusedByGetWeights()
    {
        var proto = ProtoWithConvPool();
        var input = proto.Graph.Input[0].Name;
        proto.Graph.Node.Single(n => n.Name == "conv_channels_first").Input[0] = input;
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': Conv node 'conv0' has an input 'conv_input' that is neither");
    }

    // ---------------------------------------------------------------- augmentation

    [TestMethod]
    public void SlicingNextStepRowsKeepsTwoStepsSoThereIsStillANextStepToLearn()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(8, 10, seed: 5), 10);
        var set = TrainingSet.Read(data, Lstm.Data.SequenceInputBinding.Create(data.Schema, new LstmFeaturizerOptions(), inputSize: 1), NextStepObjective.Instance, null);
        set.OutputSize = 1;
        set.Preprocess(new LstmWeights(1, 4, outputSize: 1));
        var batch = set.Batch([.. Enumerable.Range(0, 8)]);
        var whole = batch.Inputs.ToArray();

        var sliced = new BatchAugmentation(0, 0, 0.99f, NextStepObjective.Instance.MinimumSteps).Apply(batch, features: 1);

        Assert.AreEqual(2, sliced.Steps, "a step to read and the next one to predict, though 0.99 of 10 steps would leave 1");
        for (int r = 0; r < 8; r++)
        {
            int start = Enumerable.Range(0, 9).Single(t => whole[t * 8 + r] == sliced.Inputs[r] && whole[(t + 1) * 8 + r] == sliced.Inputs[8 + r]);
            Assert.IsTrue(start is >= 0 and <= 8, $"row {r} reads two consecutive steps");
        }
    }

    [TestMethod]
    public void SlicingABatchWhoseLstmStepsCannotShrinkStillSlicesTheBranchsSteps()
    {
        var batch = new TrainingBatch
        {
            Count = 2, Steps = 1, Inputs = new float[2], ConvSteps = 40, ConvInputs = [.. Enumerable.Range(0, 80).Select(i => (float)i)], Classes = [0, 1], DropoutSeed = 3,
        };

        var sliced = new BatchAugmentation(0, 0, 0.5f).Apply(batch, features: 1);

        Assert.AreEqual(1, sliced.Steps);
        Assert.AreEqual(20, sliced.ConvSteps, "AugmentSlice 0.5 should cut half the branch's 40 steps even when the LSTM reads one");
    }

    [TestMethod]
    public void SlicingNearOneOnShortClassificationRowsKeepsOneStepAndTrains()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 3, seed: 2), 3);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 4, Epochs = 1, AugmentSlice = 0.99f, ConvMaxSteps = 1,
        }).Fit(data);

        Assert.AreEqual(3, transformer.Model.GetWeights().ConvPoolingStride);
        Assert.IsTrue(TestData.Features(transformer.Transform(data)).All(r => r.All(float.IsFinite)));
    }

    [TestMethod]
    public void SlicingRegressionRowsWithADistinctConvStrideTrains()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 24).Select(i => new RegRow { Sequence = [.. Enumerable.Range(0, 30).Select(t => (float)Math.Sin(0.1 * (i + 1) * t))], Label = i / 24f }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Regression, LabelColumnName = "Label", HiddenSize = 4, Epochs = 2, AugmentSlice = 0.5f, MaxSteps = 5, ConvMaxSteps = 15,
        }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(6, weights.PoolingStride);
        Assert.AreEqual(2, weights.ConvPoolingStride);
    }

    [TestMethod]
    public void AugmentedEnsembleOfTwoFeatureRowsWithADistinctConvStrideRepeatsBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var sequences = TestData.Random(40, 16, 2, seed: 3);
        var rows = sequences.Select((s, i) => new SequenceRow { Sequence = [.. s.SelectMany(step => step)], Label = s.Sum(step => step[0]) > 0, Id = i });
        var data = TestData.Sequences(ml, rows, 32);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", InputSize = 2, HiddenSize = 16, EnsembleSize = 2, Epochs = 1, MaxSteps = 4, ConvMaxSteps = 8,
            AugmentJitter = 0.05f, AugmentScaling = 0.1f, AugmentSlice = 0.25f,
        };

        using var first = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var second = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);

        CollectionAssert.AreEqual(first.Model.ToOnnxBytes(), second.Model.ToOnnxBytes());
        Assert.AreEqual(4, first.Model.GetWeights().PoolingStride);
        Assert.AreEqual(2, first.Model.GetWeights().InputSize);
        Assert.AreEqual(2, first.Model.GetWeights().ConvPoolingStride);
    }

    [TestMethod]
    [DataRow(nameof(LstmTrainingOptions.AugmentJitter), float.NaN, "expected a finite standard deviation of at least 0, found NaN")]
    [DataRow(nameof(LstmTrainingOptions.AugmentSlice), float.NaN, "expected a share of the steps from 0 up to (not including) 1, found NaN")]
    public void NaNAugmentationsAreRefusedNamingThem(string option, float value, string why)
    {
        var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" };
        typeof(LstmTrainingOptions).GetProperty(option)!.SetValue(training, value);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.LstmFeaturizeSequence(training));

        Assert.AreEqual($"LstmTrainingOptions.{option}: {why}. (Parameter '{option}')", e.Message);
    }

    [TestMethod]
    public void AHugeFiniteJitterIsAcceptedAndTrainsToFiniteFeatures()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 10, seed: 2), 10);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 4, Epochs = 1, AugmentJitter = 1e30f,
        }).Fit(data);

        var features = TestData.Features(transformer.Transform(data));

        Assert.IsTrue(features.All(r => r.All(float.IsFinite)), "saturated gates keep the loss finite: no divergence is reported for noise of 1e30");
    }

    [TestMethod]
    public void TheLargestConvStrideFeaturizesAsOneMeanStepAndRoundTrips()
    {
        var weights = new LstmWeights(RandomWeights()) { ConvPoolingStride = LstmDefaults.MaxPoolingStride };
        var sequences = TestData.Random(3, 7, 2, seed: 9);

        var features = Featurize(LstmModel.FromWeights(weights), sequences);

        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, ScaledAndPooled(weights, sequences[n], LstmDefaults.MaxPoolingStride));
            for (int c = 0; c < 2; c++)
            {
                Assert.AreEqual(expected[c], features[n][18 + c], 1e-5, $"row {n}, channel {c}");
            }
        }
        Assert.AreEqual(LstmDefaults.MaxPoolingStride, LstmModel.FromWeights(weights).GetWeights().ConvPoolingStride);
    }

    [TestMethod]
    public void TheLargestLstmStrideFeaturizesLikeOneMeanStep()
    {
        var source = RandomWeights();
        var huge = new LstmWeights(source) { PoolingStride = LstmDefaults.MaxPoolingStride, ConvPoolingStride = 2 };
        var whole = new LstmWeights(source) { PoolingStride = 7, ConvPoolingStride = 2 };
        var sequences = TestData.Random(3, 7, 2, seed: 9);

        var expected = Featurize(LstmModel.FromWeights(whole), sequences);
        var actual = Featurize(LstmModel.FromWeights(huge), sequences);

        Assertions.AreClose(expected, actual, 1e-6);
    }

    [TestMethod]
    public void ACopyOfWeightsReadBackFromAGraphKeepsItsBranchFollowingTheLstm()
    {
        var read = LstmModel.FromWeights(RandomWeights()).GetWeights();

        var copy = new LstmWeights(read) { PoolingStride = 5 };

        Assert.AreEqual(5, copy.ConvPoolingStride);
    }

    [TestMethod]
    public void ACopyOfWeightsWithTheirOwnConvStrideKeepsIt()
    {
        var read = LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = 3 }).GetWeights();

        var copy = new LstmWeights(read) { PoolingStride = 5 };

        Assert.AreEqual(3, copy.ConvPoolingStride);
    }

    [TestMethod]
    [DataRow("auto_pad", "SAME_LOWER")]
    [DataRow("ceil_mode", "0")]
    [DataRow("pads", "1")]
    public void AnLstmPoolThatPadsOrDropsTheLastWindowIsRefusedByFromOnnx(string attribute, string value)
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        var pool = proto.Graph.Node.Single(n => n.Name == "time_pool");
        if (pool.Attribute.SingleOrDefault(a => a.Name == attribute) is { } old)
        {
            pool.Attribute.Remove(old);
        }
        pool.Attribute.Add(attribute switch
        {
            "auto_pad" => new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) },
            "pads" => new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1 } },
            _ => new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Int, I = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
        });

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its pooling node 'time_pool' must average windows of one size, kernel_shape equal to strides, ceil_mode 1, no pads.", e.Message);
    }

    [TestMethod]
    public void ConvMaxStepsWithoutABranchIsHarmless()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 40, seed: 2), 40);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, MaxSteps = 10, ConvMaxSteps = 20, ConvChannels = [],
        }).Fit(data);

        var weights = transformer.Model.GetWeights();
        var graph = ModelProto.Parser.ParseFrom(transformer.Model.ToOnnxBytes()).Graph;

        Assert.AreEqual(0, weights.ConvLayerCount);
        Assert.AreEqual(4, weights.ConvPoolingStride, "read back as the LSTM's stride");
        Assert.IsFalse(graph.Node.Any(n => n.Name.StartsWith("conv", StringComparison.Ordinal)));
    }
}

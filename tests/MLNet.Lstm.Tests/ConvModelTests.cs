using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;
using static MLNet.Lstm.Tests.Support.ConvBranchModels;

namespace MLNet.Lstm.Tests;

/// <summary>A model with a convolutional branch stays whole: plain ONNX, exact round trips, exports, int8, training rules and refusals.</summary>
[TestClass]
public sealed class ConvModelTests
{
    [TestMethod]
    [DataRow(7)]
    [DataRow(3)]
    [DataRow(1)]
    public void OnnxFeaturesMatchAPlainLoopAfterScalingAndPooling(int steps)
    {
        var weights = RandomWeights();
        var sequences = TestData.Random(4, steps, 2, seed: 9);
        var features = Featurize(LstmModel.FromWeights(weights), sequences);

        Assert.AreEqual(3 * 6 + 2, features[0].Length);
        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, ScaledAndPooled(weights, sequences[n]));
            for (int c = 0; c < 2; c++)
            {
                Assert.AreEqual(expected[c], features[n][18 + c], 1e-5, $"row {n}, channel {c}");
            }
        }
    }

    [TestMethod]
    [DataRow(1, 7)]
    [DataRow(2, 7)]
    [DataRow(3, 8)]
    [DataRow(4, 2)]
    public void ABranchPooledByItsOwnStrideMatchesAPlainLoop(int convStride, int steps)
    {
        var weights = new LstmWeights(RandomWeights()) { ConvPoolingStride = convStride };
        var sequences = TestData.Random(4, steps, 2, seed: 9);
        var features = Featurize(LstmModel.FromWeights(weights), sequences);

        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, ScaledAndPooled(weights, sequences[n], convStride));
            for (int c = 0; c < 2; c++)
            {
                Assert.AreEqual(expected[c], features[n][18 + c], 1e-5, $"row {n}, channel {c}");
            }
        }
    }

    [TestMethod]
    [DataRow(1, new[] { "conv_channels_first" })]
    [DataRow(3, new[] { "conv_channels_first", "conv_time_pool" })]
    public void TheBranchsOwnStrideRoundTripsExactlyAndReadsTheScaledInput(int convStride, string[] branchInputNodes)
    {
        var weights = new LstmWeights(RandomWeights()) { ConvPoolingStride = convStride };
        var model = LstmModel.FromWeights(weights);
        var graph = ModelProto.Parser.ParseFrom(model.ToOnnxBytes()).Graph;

        var back = LstmModel.FromOnnx(new MemoryStream(model.ToOnnxBytes())).GetWeights();

        Assert.AreEqual(2, back.PoolingStride);
        Assert.AreEqual(convStride, back.ConvPoolingStride);
        CollectionAssert.AreEqual(model.ToOnnxBytes(), LstmModel.FromWeights(back).ToOnnxBytes());
        CollectionAssert.AreEqual(branchInputNodes, graph.Node.Where(n => n.Name.StartsWith("conv_", StringComparison.Ordinal) && n.OpType is "Transpose" or "AveragePool").Select(n => n.Name).ToArray());
        Assert.AreEqual("x_scaled", graph.Node.Single(n => n.Name == "conv_channels_first").Input[0]);
    }

    [TestMethod]
    public void ABranchReadingWhatTheLstmReadsKeepsItsGraphAndStride()
    {
        var weights = RandomWeights();
        var graph = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(weights).ToOnnxBytes()).Graph;

        Assert.AreEqual(2, weights.ConvPoolingStride, "by default the branch pools as the LSTM does");
        Assert.AreEqual("x_time_major", graph.Node.Single(n => n.Name == "conv_channels_first").Input[0]);
        Assert.IsFalse(graph.Node.Any(n => n.Name == "conv_time_pool"));
        Assert.AreEqual(2, LstmModel.FromWeights(weights).GetWeights().ConvPoolingStride);
    }

    [TestMethod]
    public void AConvPoolingStrideBelowOneIsRefusedByFromWeights()
    {
        var weights = new LstmWeights(RandomWeights()) { ConvPoolingStride = 0 };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        StringAssert.StartsWith(e.Message, "LstmWeights.ConvPoolingStride: expected at least 1, found 0");
    }

    [TestMethod]
    public void ABranchPoolThatIsNotTheBuildersIsRefusedByGetWeightsButStillRuns()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = 3 }).ToOnnxBytes());
        var pool = proto.Graph.Node.Single(n => n.Name == "conv_time_pool");
        pool.Attribute.Single(a => a.Name == "strides").Ints[0] = 2;
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        Assert.AreEqual("ONNX model 'stream': AveragePool node 'conv_time_pool' has other attributes than the branch's pooling (kernel_shape equal to strides, ceil_mode 1, no pads), which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, " +
            "so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it.", e.Message);
        Assert.AreEqual(20, Featurize(model, TestData.Random(3, 8, 2, seed: 1))[0].Length);
    }

    [TestMethod]
    public void ABranchReadingAnotherTensorIsRefusedByGetWeights()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(new LstmWeights(RandomWeights()) { ConvPoolingStride = 1 }).ToOnnxBytes());
        proto.Graph.Node.Single(n => n.Name == "conv_channels_first").Input[0] = "x_shifted";
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': Conv node 'conv0' has an input 'conv_input' that is neither the LSTM's input 'x_time_major' turned channels-first (Transpose, perm [1, 2, 0]) " +
            "nor the scaled input 'x_scaled' turned channels-first (perm [0, 2, 1]), pooled or not by 'conv_time_pool', which LstmWeights");
    }

    [TestMethod]
    public void ConvMaxStepsPoolsTheBranchApartFromTheLstm()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 40, seed: 2), 40);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, MaxSteps = 10, ConvMaxSteps = 20,
        }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(4, weights.PoolingStride);
        Assert.AreEqual(2, weights.ConvPoolingStride);
    }

    [TestMethod]
    [DataRow(null, 4)]
    [DataRow(int.MaxValue, 1)]
    public void ConvMaxStepsDefaultsToTheLstmsStepsAndItsLargestValueReadsEveryStep(int? convMaxSteps, int convStride)
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 40, seed: 2), 40);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, MaxSteps = 10, ConvMaxSteps = convMaxSteps,
        }).Fit(data);

        Assert.AreEqual(convStride, transformer.Model.GetWeights().ConvPoolingStride);
    }

    [TestMethod]
    public void DefaultKernelsShortenToTheBranchsOwnMedianSteps()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 40, seed: 2), 40);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, MaxSteps = 40, ConvMaxSteps = 4,
        }).Fit(data);

        CollectionAssert.AreEqual(new[] { 4, 4, 3 }, transformer.Model.GetWeights().ConvKernelSizes.ToArray());
    }

    [TestMethod]
    public void ConvMaxStepsBelowOneIsRefused()
    {
        var ml = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvMaxSteps = 0 }));

        Assert.AreEqual("LstmTrainingOptions.ConvMaxSteps: expected null (the LSTM's MaxSteps) or at least 1, found 0. (Parameter 'ConvMaxSteps')", e.Message);
    }

    [TestMethod]
    public void FineTuningKeepsThePretrainedBranchsStride()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        var start = new LstmWeights(1, 8, convChannels: [4, 3], convKernelSizes: [5, 3]) { PoolingStride = 4, ConvPoolingStride = 1 };
        Fill(start, seed: 3, shift: 0.3);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", Epochs = 1, InitialModel = LstmModel.FromWeights(start), ConvMaxSteps = 5,
        }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(4, weights.PoolingStride);
        Assert.AreEqual(1, weights.ConvPoolingStride);
    }

    [TestMethod]
    public void WeightsRoundTripThroughOnnxBytesAndFilesExactly()
    {
        var weights = RandomWeights();
        var model = LstmModel.FromWeights(weights);
        string path = Path.Combine(Path.GetTempPath(), $"conv-{Guid.NewGuid():N}.onnx");
        try
        {
            model.SaveOnnx(path);
            var loaded = LstmModel.FromOnnx(path);
            var back = loaded.GetWeights();

            CollectionAssert.AreEqual(new[] { 3, 5, 2 }, back.ConvChannels.ToArray());
            CollectionAssert.AreEqual(new[] { 4, 1, 6 }, back.ConvKernelSizes.ToArray());
            Assert.AreEqual(LstmHeadInput.LastMeanMax, back.HeadInput);
            Assert.AreEqual(2, back.PoolingStride);
            foreach (var (expected, actual) in weights.Tensors().Zip(back.Tensors(), (a, b) => (a, b)))
            {
                CollectionAssert.AreEqual(expected, actual);
            }
            CollectionAssert.AreEqual(model.ToOnnxBytes(), LstmModel.FromWeights(back).ToOnnxBytes());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheGraphIsPlainOnnxConvReluAndGlobalAveragePool()
    {
        var graph = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes()).Graph;

        CollectionAssert.AreEqual(new[] { "conv0", "conv1", "conv2" }, graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Name).ToArray());
        Assert.AreEqual(3, graph.Node.Count(n => n.OpType == "Relu"));
        Assert.AreEqual(1, graph.Node.Count(n => n.OpType == "GlobalAveragePool"));
        var pads = graph.Node.Single(n => n.Name == "conv0").Attribute.Single(a => a.Name == "pads").Ints.ToArray();
        CollectionAssert.AreEqual(new long[] { 1, 2 }, pads, "kernel 4 pads 1 before and 2 after, as PyTorch's padding='same'");
        CollectionAssert.AreEqual(new long[] { 3, 18 + 2 }, graph.Initializer.Single(i => i.Name == "fc.weight").Dims.ToArray());
    }

    [TestMethod]
    public void ModelZipKeepsTheBranchAndItsNumbers()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.Random(10, 9, 2, seed: 4));
        var model = LstmModel.FromWeights(RandomWeights());
        using var transformer = ml.Transforms.LstmFeaturizeSequence(model).Fit(data);
        using var zip = new MemoryStream();
        ml.Model.Save(transformer, data.Schema, zip);
        zip.Position = 0;

        var loaded = ml.Model.Load(zip, out _);

        CollectionAssert.AreEqual(model.ToOnnxBytes(), ((LstmFeaturizerTransformer)loaded).Model.ToOnnxBytes());
        var expected = TestData.Features(transformer.Transform(data));
        var actual = TestData.Features(loaded.Transform(data));
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], actual[i]);
        }
        ((IDisposable)loaded).Dispose();
    }

    [TestMethod]
    public void ConvertToOnnxExportsTheBranchWithOpsetElevenOperators()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(40, 24, seed: 3);
        var data = TestData.Sequences(ml, rows, 24);
        var weights = new LstmWeights(1, 4, outputSize: 2, convChannels: [3, 2], convKernelSizes: [5, 2]);
        Fill(weights, seed: 2);
        var pipeline = ml.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(weights)).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(pipeline, data, stream);
        var exported = ModelProto.Parser.ParseFrom(stream.ToArray());

        Assert.AreEqual(2, exported.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.IsLessThanOrEqualTo(12L, exported.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        var exportedFeatures = ExportedFeatures.Run(stream.ToArray(), rows, 24);
        var expected = TestData.Features(pipeline.Transform(data));
        Assertions.AreClose(expected, exportedFeatures, 1e-5);
    }

    [TestMethod]
    public void Int8RewritesTheLstmAndLeavesTheBranchInFp32()
    {
        var model = LstmModel.FromWeights(RandomWeights());
        var sequences = TestData.Random(6, 12, 2, seed: 5);
        var fp32 = Featurize(model, sequences);
        var int8 = Featurize(model, sequences, new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 });
        var graph = ModelProto.Parser.ParseFrom(model.ToRepresentationGraph(LstmRepresentation.LastMeanMax, LstmPrecision.Int8).Onnx).Graph;

        Assert.AreEqual(1, graph.Node.Count(n => n.OpType == "DynamicQuantizeLSTM"));
        Assert.AreEqual((int)TensorProto.Types.DataType.Float, graph.Initializer.Single(i => i.Name == "conv0.weight").DataType);
        for (int n = 0; n < sequences.Length; n++)
        {
            CollectionAssert.AreEqual(fp32[n][18..], int8[n][18..], $"row {n}: the branch's features are fp32's to the bit");
        }
    }

    [TestMethod]
    public void ANonFiniteConvWeightIsRefusedByFromWeights()
    {
        var weights = RandomWeights();
        weights.GetConvLayer(1).Weight[3] = float.NaN;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights conv layer 1, Weight: expected finite values, found NaN at index 3. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void ANonFiniteConvWeightInAnOnnxFileIsRefusedByFromOnnx()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        var bias = proto.Graph.Initializer.Single(i => i.Name == "conv2.bias");
        var values = MemoryMarshal.Cast<byte, float>(bias.RawData.Span).ToArray();
        values[1] = float.PositiveInfinity;
        bias.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its tensor 'conv2.bias' (read by Conv node 'conv2') holds Infinity at index 1; expected finite parameters.", e.Message);
    }

    [TestMethod]
    public void AConvLayoutLstmWeightsCannotCarryIsRefusedByGetWeightsButStillRuns()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        var conv = proto.Graph.Node.Single(n => n.Name == "conv1");
        conv.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2 } });
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        Assert.AreEqual("ONNX model 'stream': Conv node 'conv1' has attribute strides = [2], which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, " +
            "so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it.", e.Message);
        Assert.AreEqual(20, Featurize(model, TestData.Random(3, 8, 2, seed: 1))[0].Length);
    }

    [TestMethod]
    public void AKernelLongerThanTheShortestTrainingSequenceIsRefusedAtFit()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 6, seed: 2), 6);
        var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, ConvChannels = [4, 4], ConvKernelSizes = [3, 7] };

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.LstmFeaturizeSequence(training).Fit(data));

        Assert.AreEqual("LSTM training: conv layer 1's kernel spans 7 steps, but the training sequences reach the branch with a median of 6 step(s) (after pooling); " +
            "expected kernels of at most 6 steps (set ConvKernelSizes shorter, or ConvMaxSteps higher).", e.Message);
    }

    [TestMethod]
    public void DefaultKernelsShortenToTheMedianTrainingSequence()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 4, seed: 2), 4);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1 }).Fit(data);

        var weights = transformer.Model.GetWeights();

        CollectionAssert.AreEqual(new[] { 4, 4, 3 }, weights.ConvKernelSizes.ToArray());
        CollectionAssert.AreEqual(LstmDefaults.ConvChannels, weights.ConvChannels.ToArray());
    }

    [TestMethod]
    public void AnEmptyConvChannelsTrainsNoBranch()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 12, seed: 2), 12);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, ConvChannels = [], KernelFeatures = 0 }).Fit(data);

        Assert.AreEqual(0, transformer.Model.GetWeights().ConvLayerCount);
        Assert.IsFalse(ModelProto.Parser.ParseFrom(transformer.Model.ToOnnxBytes()).Graph.Node.Any(n => n.OpType == "Conv"));
    }

    [TestMethod]
    [DataRow(LstmObjective.NextStep)]
    [DataRow(LstmObjective.Reconstruction)]
    public void ObjectivesWhoseHeadsReadSingleStepsRefuseConvChannels(LstmObjective objective)
    {
        var ml = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = objective, ConvChannels = [8] }));

        Assert.AreEqual($"LstmTrainingOptions.ConvChannels: the {objective} objective trains no convolutional branch (its head reads single steps, not the whole sequence); " +
            "use Classification or Regression, or leave ConvChannels null. (Parameter 'ConvChannels')", e.Message);
    }

    [TestMethod]
    public void ConvKernelSizesOfAnotherCountAreRefused()
    {
        var ml = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvChannels = [8, 8], ConvKernelSizes = [3] }));

        Assert.AreEqual("LstmTrainingOptions.ConvKernelSizes: expected one kernel size per convolutional layer (2), found 1. (Parameter 'ConvKernelSizes')", e.Message);
    }

    [TestMethod]
    public void TrainingWithTheBranchGivesBitIdenticalModelsRunToRun()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 32, Epochs = 3 };

        using var first = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var second = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);

        Assert.AreEqual(3, first.Model.GetWeights().ConvLayerCount);
        CollectionAssert.AreEqual(first.Model.ToOnnxBytes(), second.Model.ToOnnxBytes());
    }

    [TestMethod]
    public void TheEnsemblesAveragedHeadReadsBothMembersAndTheSharedBranch()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 32, Epochs = 2, EnsembleSize = 2, KernelFeatures = 0, StandardizeFeatures = false }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(2, weights.OutputSize);
        Assert.AreEqual(3 * 32 + LstmDefaults.ConvChannels[^1], weights.HeadInputWidth);
        int lstmColumns = 3 * 32;
        for (int o = 0; o < 2; o++)
        {
            Assert.IsTrue(weights.HeadWeight!.AsSpan(o * weights.HeadInputWidth + lstmColumns, LstmDefaults.ConvChannels[^1]).ToArray().Any(v => v != 0), $"output {o} reads the branch");
        }
        Assert.AreEqual(3 * 32 + LstmDefaults.ConvChannels[^1], Featurize(transformer.Model, TestData.Random(2, 20, 1, seed: 1))[0].Length);
    }

    [TestMethod]
    public void FineTuningKeepsThePretrainedBranchAndTrainsIt()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        var start = new LstmWeights(1, 8, convChannels: [4, 3], convKernelSizes: [5, 3]);
        Fill(start, seed: 3, shift: 0.3);
        var pretrained = LstmModel.FromWeights(start);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", Epochs = 2, InitialModel = pretrained, ConvChannels = [16] }).Fit(data);

        var weights = transformer.Model.GetWeights();

        CollectionAssert.AreEqual(new[] { 4, 3 }, weights.ConvChannels.ToArray(), "the model's branch wins over ConvChannels, as its LSTM wins over HiddenSize");
        for (int i = 0; i < 2; i++)
        {
            Assert.AreEqual(start.GetConvLayer(i).Weight.Length, weights.GetConvLayer(i).Weight.Length);
            CollectionAssert.AreNotEqual(start.GetConvLayer(i).Weight, weights.GetConvLayer(i).Weight, $"conv layer {i} was trained");
        }
    }

    [TestMethod]
    [DataRow(LstmObjective.NextStep)]
    [DataRow(LstmObjective.Reconstruction)]
    public void FineTuningAModelWithABranchOnAnObjectiveThatTrainsNoneIsRefused(LstmObjective objective)
    {
        var ml = new MLContext(seed: 1);
        var model = LstmModel.FromWeights(new LstmWeights(1, 8, outputSize: 1, convChannels: [4], convKernelSizes: [3]));

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = objective, InitialModel = model }));

        Assert.AreEqual($"LstmTrainingOptions.InitialModel: the {objective} objective trains no convolutional branch (its head reads single steps, not the whole sequence), " +
            "but the model has one of 1 layer(s); expected a model without one, or Objective Classification or Regression. (Parameter 'InitialModel')", e.Message);
    }

    [TestMethod]
    public void ATimeSeriesEngineRefusesAModelWithABranch()
    {
        var model = LstmModel.FromWeights(new LstmWeights(1, 8, outputSize: 1, convChannels: [4], convKernelSizes: [3]));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.CreateTimeSeriesEngine());

        Assert.AreEqual("A time-series engine steps the LSTM one point at a time; this model has a convolutional branch of 1 layer(s), which reads the whole sequence at once. " +
            "Train the engine's model with LstmObjective.NextStep, which trains no branch.", e.Message);
    }

    [TestMethod]
    public void TheNextStepErrorRepresentationRefusesAModelWithABranch()
    {
        var model = LstmModel.FromWeights(new LstmWeights(1, 8, outputSize: 1, convChannels: [4], convKernelSizes: [3]));
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.Random(3, 6, 1, seed: 1));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            ml.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }).Fit(data));

        Assert.AreEqual("Representation NextStepError needs a model whose head forecasts the next step from the LSTM's state alone; this model has a convolutional branch of 1 layer(s) " +
            "that its head also reads. Train it with LstmObjective.NextStep, which trains no branch.", e.Message);
    }

    [TestMethod]
    public void ConvKernelSizesAloneOnAnObjectiveThatTrainsNoBranchIsRefused()
    {
        var ml = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { ConvKernelSizes = [3] }));

        Assert.AreEqual("LstmTrainingOptions.ConvKernelSizes: the NextStep objective trains no convolutional branch (its head reads single steps, not the whole sequence); " +
            "use Classification or Regression, or leave ConvKernelSizes null. (Parameter 'ConvKernelSizes')", e.Message);
    }

    [TestMethod]
    [DataRow(0, "conv layer 1 has 0 channels; expected 1 to 23170.")]
    [DataRow(100_000, "conv layer 1 has 100000 channels; expected 1 to 23170.")]
    public void ChannelCountsOutsideTheLimitsAreRefused(int channels, string why)
    {
        var ml = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvChannels = [8, channels] }));

        Assert.AreEqual($"LstmTrainingOptions.ConvChannels: {why} (Parameter 'ConvChannels')", e.Message);
    }

    [TestMethod]
    public void ABatchWhoseWindowsOverflowAnArrayIsRefusedBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 300, seed: 2), 300);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, MaxSteps = null,
            ConvChannels = [20_000, 4], ConvKernelSizes = [3, 60],
        };

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.LstmFeaturizeSequence(training).Fit(data));

        Assert.AreEqual("LSTM training: a batch of 16 rows of 300 steps gives the convolutional branch windows of 5760000000 values (1200000 per step); " +
            "expected at most 2147483591 (one .NET array). Lower BatchSize, ConvChannels or ConvKernelSizes, or ConvMaxSteps.", e.Message);
    }

    [TestMethod]
    public void AHeadThatReadsTheBranchBeforeTheLstmIsRefusedByGetWeights()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        var concat = proto.Graph.Node.Single(n => n.Name == "head_with_conv");
        (concat.Input[0], concat.Input[1]) = (concat.Input[1], concat.Input[0]);
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': Gemm node 'fc' has an input that is not the LSTM's values then 'conv_features' (Concat 'head_with_conv' on axis 1), which LstmWeights");
    }

    [TestMethod]
    public void ABranchWithoutItsReluIsRefusedByGetWeights()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        proto.Graph.Node.Single(n => n.Name == "conv1").Input[0] = "conv0_out";
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': Conv node 'conv1' has an input 'conv0_out' that is not the Relu of conv0's output, which LstmWeights");
    }

    [TestMethod]
    public void AConvWeightWithTooFewValuesForItsShapeIsRefused()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        var weight = proto.Graph.Initializer.Single(i => i.Name == "conv2.weight");
        weight.RawData = ByteString.CopyFrom(weight.RawData.Span[..(10 * sizeof(float))]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its Conv node 'conv2' has a weight 'conv2.weight' of 10 values; expected 60 for its shape [2, 5, 6].", e.Message);
    }

    [TestMethod]
    public void ShardedGradientsOfTheBranchEqualOneNetworksOnTheWholeBatch()
    {
        var weights = new LstmWeights(1, 8, outputSize: 2, convChannels: [4, 3], convKernelSizes: [5, 3]) { HeadInput = LstmHeadInput.LastMeanMax };
        Fill(weights, seed: 4);
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(32, 12, seed: 5), 12);
        var set = Training.TrainingSet.Read(data, Data.SequenceInputBinding.Create(data.Schema, new LstmFeaturizerOptions(), inputSize: 1),
            Training.Objectives.ClassificationObjective.Instance, "Label");
        set.OutputSize = 2;
        int[] rows = [.. Enumerable.Range(0, 32)];
        using var step = new Training.ShardedStep(weights, Training.Objectives.ClassificationObjective.Instance);
        step.ParametersChanged();
        double sharded = step.LossAndGradients(set, rows);
        var whole = weights.ZerosLike();
        var network = new Training.LstmNetwork(weights, Training.Objectives.ClassificationObjective.Instance);
        double loss = network.LossAndGradients(set.Batch(rows), whole);

        Assert.AreEqual(loss, sharded, 1e-6);
        foreach (var (expected, actual) in whole.Tensors().Zip(step.Gradients.Tensors()))
        {
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], actual[i], 1e-5 + 1e-4 * Math.Abs(expected[i]), $"tensor of {expected.Length}, value {i}");
            }
        }
    }

    [TestMethod]
    public void ShardedGradientsOfABranchPooledByItsOwnStrideEqualOneNetworksOnTheWholeBatch()
    {
        var weights = new LstmWeights(1, 8, outputSize: 2, convChannels: [4, 3], convKernelSizes: [5, 3]) { HeadInput = LstmHeadInput.LastMeanMax, PoolingStride = 4, ConvPoolingStride = 2 };
        Fill(weights, seed: 4);
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(32, 13, seed: 5), 13);
        var set = Training.TrainingSet.Read(data, Data.SequenceInputBinding.Create(data.Schema, new LstmFeaturizerOptions(), inputSize: 1),
            Training.Objectives.ClassificationObjective.Instance, "Label");
        set.OutputSize = 2;
        set.Preprocess(weights);
        int[] rows = [.. Enumerable.Range(0, 32)];
        using var step = new Training.ShardedStep(weights, Training.Objectives.ClassificationObjective.Instance);
        step.ParametersChanged();
        double sharded = step.LossAndGradients(set, rows);
        var whole = weights.ZerosLike();
        var batch = set.Batch(rows);
        double loss = new Training.LstmNetwork(weights, Training.Objectives.ClassificationObjective.Instance).LossAndGradients(batch, whole);

        Assert.AreEqual(4, batch.Steps, "13 steps pooled by 4");
        Assert.AreEqual(7, batch.ConvSteps, "13 steps pooled by 2");
        Assert.AreEqual(loss, sharded, 1e-6);
        foreach (var (expected, actual) in whole.Tensors().Zip(step.Gradients.Tensors()))
        {
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], actual[i], 1e-5 + 1e-4 * Math.Abs(expected[i]), $"tensor of {expected.Length}, value {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(new[] { 16, 8 }, new[] { 8, 5 })]
    [DataRow(new[] { 8, 8, 8, 8 }, new[] { 8, 5, 3, 3 })]
    public void ConvChannelsOfAnyDepthGetDefaultKernels(int[] channels, int[] kernels)
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(20, 12, seed: 2), 12);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, ConvChannels = channels }).Fit(data);

        var weights = transformer.Model.GetWeights();

        CollectionAssert.AreEqual(channels, weights.ConvChannels.ToArray());
        CollectionAssert.AreEqual(kernels, weights.ConvKernelSizes.ToArray());
    }

    [TestMethod]
    public void ConvFeaturesThatAreNotTheBranchsMeanOverTimeAreRefusedAtLoad()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(RandomWeights()).ToOnnxBytes());
        proto.Graph.Node.Single(n => n.Name == "conv_features").Input[0] = "conv2_relu";

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its Flatten node 'conv_features' reads 'conv2_relu' written by Relu 'conv2_relu'; expected the convolutional branch's GlobalAveragePool (its mean over time) or its Concat 'conv_halves' (that mean beside its halves' means).", e.Message);
    }
}

using Google.Protobuf;
using Microsoft.ML;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;
using static MLNet.Lstm.Tests.Support.ConvBranchModels;

namespace MLNet.Lstm.Tests;

/// <summary>The branch's means over each half of the steps beside its mean over all of them (<see cref="LstmWeights.ConvHalves"/>).</summary>
[TestClass]
public sealed class ConvHalvesTests
{
    private static LstmWeights HalvesWeights(int seed = 7) => RandomWeights(seed, halves: true);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(14)]
    [DataRow(15)]
    public void OnnxFeaturesAreTheMeanOverEveryStepThenOverEachHalf(int steps)
    {
        var weights = HalvesWeights();
        var sequences = TestData.Random(4, steps, 2, seed: 9);

        var features = Featurize(LstmModel.FromWeights(weights), sequences);

        Assert.AreEqual(3 * 6 + 3 * 2, features[0].Length);
        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, ScaledAndPooled(weights, sequences[n]));
            Assert.HasCount(6, expected);
            for (int c = 0; c < 6; c++)
            {
                Assert.AreEqual(expected[c], features[n][18 + c], 1e-5, $"row {n}, feature {c}");
            }
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(6)]
    [DataRow(7)]
    public void TheTrainingForwardPassGivesTheSameMeans(int steps)
    {
        var weights = HalvesWeights();
        var sequences = TestData.Random(3, steps, 2, seed: 4);
        var branch = new ConvBranch(weights);
        branch.Refresh();
        var batchMajor = sequences.SelectMany(s => s.SelectMany(step => step)).ToArray();

        branch.ForwardBatchMajor(batchMajor, steps, sequences.Length);

        Assert.AreEqual(6, branch.FeatureSize);
        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, sequences[n]);
            for (int c = 0; c < 6; c++)
            {
                Assert.AreEqual(expected[c], branch.Features[n * 6 + c], 1e-5, $"row {n}, feature {c}");
            }
        }
    }

    [TestMethod]
    [DataRow(LstmHeadInput.LastStep, 5)]
    [DataRow(LstmHeadInput.LastMeanMax, 4)]
    public void GradientsThroughTheHalvesMatchCentralFiniteDifferences(LstmHeadInput headInput, int steps)
    {
        const int Features = 2, Hidden = 4, Rows = 3, Classes = 3;
        var weights = new LstmWeights(Features, Hidden, outputSize: Classes, convChannels: [3, 2], convKernelSizes: [3, 2]) { HeadInput = headInput, ConvHalves = true };
        var draw = new Random(6);
        foreach (var tensor in weights.Tensors())
        {
            for (int i = 0; i < tensor.Length; i++)
            {
                tensor[i] = (float)(draw.NextDouble() * 2 - 1);
            }
        }
        if (headInput == LstmHeadInput.LastMeanMax)
        {
            // The max over time has kinks where its arg max changes: finite differences cannot cross them.
            for (int o = 0; o < Classes; o++)
            {
                Array.Clear(weights.HeadWeight!, o * weights.HeadInputWidth + 2 * Hidden, Hidden);
            }
        }
        var random = new Random(5);
        var batch = new TrainingBatch
        {
            Count = Rows,
            Steps = steps,
            Inputs = [.. Enumerable.Range(0, steps * Rows * Features).Select(_ => (float)(random.NextDouble() * 4 - 2))],
            Classes = [.. Enumerable.Range(0, Rows).Select(_ => random.Next(Classes))],
        };
        var network = new LstmNetwork(weights, ClassificationObjective.Instance);
        var gradients = weights.ZerosLike();
        network.LossAndGradients(batch, gradients);

        foreach (var (parameter, gradient) in weights.Tensors().Zip(gradients.Tensors()).Skip(4))
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                double numeric = TrainingNetworkTests.CentralDifference(network, batch, parameter, i, 2e-3f);
                Assert.AreEqual(numeric, gradient[i], 2e-3 + 1e-2 * Math.Abs(numeric), $"tensor of {parameter.Length} values, index {i}");
            }
        }
    }

    [TestMethod]
    public void TheHalvesRoundTripThroughOnnxBytesExactly()
    {
        var model = LstmModel.FromWeights(HalvesWeights());

        var back = LstmModel.FromOnnx(new MemoryStream(model.ToOnnxBytes())).GetWeights();

        Assert.IsTrue(back.ConvHalves);
        Assert.AreEqual(6, back.ConvFeatureSize);
        Assert.AreEqual(3 * 6 + 6, back.HeadInputWidth);
        CollectionAssert.AreEqual(model.ToOnnxBytes(), LstmModel.FromWeights(back).ToOnnxBytes());
    }

    [TestMethod]
    public void WithoutHalvesTheGraphHasNoneOfTheirNodes()
    {
        var weights = new LstmWeights(HalvesWeights()) { ConvHalves = false };

        var graph = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(weights).ToOnnxBytes()).Graph;

        Assert.IsFalse(graph.Node.Any(n => n.Name.Contains("half", StringComparison.Ordinal)));
        Assert.AreEqual(3 * 6 + 2, weights.HeadInputWidth);
        Assert.IsFalse(LstmModel.FromWeights(weights).GetWeights().ConvHalves);
    }

    [TestMethod]
    public void ACopyGivenHalvesGetsAZeroFilledHeadOfTheirWidthAndKeepsEverythingElse()
    {
        var source = new LstmWeights(HalvesWeights()) { ConvHalves = false };

        var copy = new LstmWeights(source) { ConvHalves = true };

        Assert.HasCount(3 * (18 + 6), copy.HeadWeight!);
        Assert.IsTrue(copy.HeadWeight!.All(v => v == 0));
        CollectionAssert.AreEqual(source.GetConvLayer(2).Weight, copy.GetConvLayer(2).Weight);
        CollectionAssert.AreEqual(source.HeadBias, copy.HeadBias);
    }

    [TestMethod]
    public void HalvesWithoutABranchAreIgnored()
    {
        var weights = new LstmWeights(2, 6, outputSize: 3) { ConvHalves = true };

        Assert.AreEqual(0, weights.ConvFeatureSize);
        Assert.AreEqual(6, weights.HeadInputWidth);
        Assert.IsFalse(LstmModel.FromWeights(weights).GetWeights().ConvHalves);
    }

    [TestMethod]
    public void ModelZipKeepsTheHalvesAndTheirNumbers()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.Random(10, 9, 2, seed: 4));
        var model = LstmModel.FromWeights(HalvesWeights());
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
    public void ConvertToOnnxExportsTheHalvesWithTheSameNumbers()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(40, 23, seed: 3);
        var data = TestData.Sequences(ml, rows, 23);
        var weights = new LstmWeights(1, 4, outputSize: 2, convChannels: [3, 2], convKernelSizes: [5, 2]) { ConvHalves = true };
        Fill(weights, seed: 2);
        using var pipeline = ml.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(weights)).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(pipeline, data, stream);
        var exported = ModelProto.Parser.ParseFrom(stream.ToArray());

        Assert.AreEqual(1, exported.Graph.Node.Count(n => n.OpType == "Concat" && n.Input.Count == 3 && n.Input.Skip(1).All(i => i.Contains("half_mean", StringComparison.Ordinal))), "the halves' Concat, exported");
        var exportedFeatures = ExportedFeatures.Run(stream.ToArray(), rows, 23);
        var expected = TestData.Features(pipeline.Transform(data));
        Assert.HasCount(3 * 4 + 6, expected[0]);
        Assertions.AreClose(expected, exportedFeatures, 1e-5);
    }

    [TestMethod]
    public void Int8LeavesTheHalvesBitIdentical()
    {
        var model = LstmModel.FromWeights(HalvesWeights());
        var sequences = TestData.Random(6, 12, 2, seed: 5);

        var fp32 = Featurize(model, sequences);
        var int8 = Featurize(model, sequences, new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 });

        for (int n = 0; n < sequences.Length; n++)
        {
            CollectionAssert.AreEqual(fp32[n][18..], int8[n][18..], $"row {n}");
        }
    }

    private const string HalvesRefusal = "ONNX model 'stream': Concat node 'conv_halves' has inputs other than the branch's means over all its steps, its first ⌈T/2⌉ and its last ⌈T/2⌉ steps, as MLNet.Lstm writes them, " +
        "which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it.";

    [TestMethod]
    public void HalvesConcatenatedInAnotherOrderAreRefusedByGetWeightsButStillRun()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(HalvesWeights()).ToOnnxBytes());
        var concat = proto.Graph.Node.Single(n => n.Name == "conv_halves");
        (concat.Input[1], concat.Input[2]) = (concat.Input[2], concat.Input[1]);
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        Assert.AreEqual(HalvesRefusal, e.Message);
        Assert.HasCount(3, Featurize(model, TestData.Random(3, 8, 2, seed: 1)));
    }

    [TestMethod]
    public void AHalfWithOtherBoundsIsRefusedByGetWeights()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(HalvesWeights()).ToOnnxBytes());
        proto.Graph.Initializer.Remove(proto.Graph.Initializer.Single(i => i.Name == "conv_halves_two"));
        proto.Graph.Initializer.Add(new TensorProto { Name = "conv_halves_two", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { 3 } });
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));

        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.GetWeights());

        Assert.AreEqual(HalvesRefusal, e.Message);
    }

    [TestMethod]
    public void HalvesConstantsStoredAsInt64DataAreCarriedByGetWeights()
    {
        var weights = HalvesWeights();
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(weights).ToOnnxBytes());
        proto.Graph.Initializer.Remove(proto.Graph.Initializer.Single(i => i.Name == "conv_halves_two"));
        proto.Graph.Initializer.Add(new TensorProto { Name = "conv_halves_two", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { 2 } });

        var read = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())).GetWeights();

        Assert.IsTrue(read.ConvHalves);
        CollectionAssert.AreEqual(weights.HeadWeight, read.HeadWeight);
        CollectionAssert.AreEqual(weights.GetConvLayer(2).Weight, read.GetConvLayer(2).Weight);
    }

    [TestMethod]
    public void ARenamedHalvesConcatIsRefusedAtLoadNamingWhatTheFeaturesMayRead()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(HalvesWeights()).ToOnnxBytes());
        proto.Graph.Node.Single(n => n.Name == "conv_halves").Name = "renamed";

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its Flatten node 'conv_features' reads 'conv_halves' written by Concat 'renamed'; expected the convolutional branch's GlobalAveragePool (its mean over time) or its Concat 'conv_halves' (that mean beside its halves' means).", e.Message);
    }

    [TestMethod]
    public void TrainingGivesTheHalvesOnRequestAndFineTuningKeepsTheModelsChoice()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        using var plain = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, KernelFeatures = 0, StandardizeFeatures = false,
        }).Fit(data);
        using var halves = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 1, KernelFeatures = 0, StandardizeFeatures = false, ConvHalves = true,
        }).Fit(data);

        using var tuned = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", Epochs = 1, KernelFeatures = 0, StandardizeFeatures = false, InitialModel = plain.Model, ConvHalves = true,
        }).Fit(data);

        Assert.IsFalse(plain.Model.GetWeights().ConvHalves, "off by default");
        Assert.IsTrue(halves.Model.GetWeights().ConvHalves);
        Assert.HasCount(3 * 8 + 128, TestData.Features(plain.Transform(data))[0]);
        Assert.HasCount(3 * 8 + 3 * 128, TestData.Features(halves.Transform(data))[0]);
        Assert.IsFalse(tuned.Model.GetWeights().ConvHalves, "an InitialModel keeps its own branch");
    }

    [TestMethod]
    public void RowsOfManyLengthsInOneViewEachGetTheirOwnHalves()
    {
        var weights = HalvesWeights();
        int[] lengths = [1, 2, 3, 4, 9, 16, 17, 40, 5, 2];
        var random = new Random(3);
        var sequences = lengths.Select(t => Enumerable.Range(0, t).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() }).ToArray()).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(sequences.Select(s => new VariableRow { Sequence = [.. s.SelectMany(step => step)] }));
        using var transformer = ml.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(weights)).Fit(data);

        var features = TestData.Features(transformer.Transform(data));

        for (int n = 0; n < sequences.Length; n++)
        {
            var expected = ReferenceConv1d.Features(weights, ScaledAndPooled(weights, sequences[n]));
            for (int c = 0; c < 6; c++)
            {
                Assert.AreEqual(expected[c], features[n][18 + c], 1e-5, $"row {n} of {lengths[n]} steps, feature {c}");
            }
        }
    }

    private sealed class VariableRow
    {
        [Microsoft.ML.Data.VectorType]
        public float[] Sequence { get; set; } = [];
    }

    [TestMethod]
    public void AnEnsembleWithHalvesAndItsOwnConvStrideTrainsBitIdenticallyRunToRun()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 32, seed: 2), 32);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 32, EnsembleSize = 2, Epochs = 2, MaxSteps = 8, ConvMaxSteps = 16, ConvHalves = true,
        };

        using var first = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var second = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);

        CollectionAssert.AreEqual(first.Model.ToOnnxBytes(), second.Model.ToOnnxBytes());
        var weights = first.Model.GetWeights();
        Assert.IsTrue(weights.ConvHalves);
        Assert.AreEqual(2, weights.ConvPoolingStride);
        Assert.AreEqual(3 * 32 + 3 * 128, weights.HeadInputWidth);
    }

    [TestMethod]
    public void TheHalvesAndTheHeadInputSetInEitherOrderGiveOneHeadWidth()
    {
        var source = new LstmWeights(2, 6, outputSize: 3, convChannels: [3, 2], convKernelSizes: [2, 2]);

        var halvesFirst = new LstmWeights(source) { ConvHalves = true, HeadInput = LstmHeadInput.LastMeanMax };
        var headFirst = new LstmWeights(source) { HeadInput = LstmHeadInput.LastMeanMax, ConvHalves = true };

        Assert.HasCount(3 * (18 + 6), halvesFirst.HeadWeight!);
        Assert.HasCount(3 * (18 + 6), headFirst.HeadWeight!);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(4)]
    public void AHalvesConcatOfAnotherCountIsRefusedAtLoadInsteadOfFailingInOnnxRuntime(int inputs)
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(HalvesWeights()).ToOnnxBytes());
        var concat = proto.Graph.Node.Single(n => n.Name == "conv_halves");
        if (inputs == 2)
        {
            concat.Input.RemoveAt(2);
        }
        else
        {
            concat.Input.Add("conv_pooled");
        }

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual($"ONNX model 'stream' cannot be used as an LSTM: its Concat node 'conv_halves' joins {inputs} tensors; expected 3 (the branch's mean over every step, over its first half and over its last half).", e.Message);
    }
}

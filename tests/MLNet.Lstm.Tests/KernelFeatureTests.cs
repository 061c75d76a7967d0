using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using static MLNet.Lstm.Tests.Support.ConvBranchModels;

namespace MLNet.Lstm.Tests;

/// <summary>MiniRocket's features beside the LSTM's (<see cref="LstmWeights.KernelBanks"/>, <see cref="LstmTrainingOptions.KernelFeatures"/>).</summary>
[TestClass]
public sealed class KernelFeatureTests
{
    private const int Hidden = 8;

    /// <summary>
    /// A random LSTM with input scaling, banks of <paramref name="featureCount"/> features fit on 20
    /// rows of 200 steps (other rows than those featurized, so no convolution lands on a threshold)
    /// and, with <paramref name="standardized"/>, a random standardization of every feature.
    /// </summary>
    private static LstmWeights WithBanks(int inputSize = 1, int featureCount = 168, bool standardized = true)
    {
        var lstm = LstmModel.CreateRandom(inputSize, Hidden, seed: 2).GetWeights();
        var scaled = new LstmWeights(lstm) { InputOffset = [.. Enumerable.Repeat(0.5f, inputSize)], InputScale = [.. Enumerable.Repeat(2f, inputSize)] };
        var rows = TestData.Random(20, 200, inputSize, seed: 3).Select(r => ScaledAndPooled(scaled, r, stride: 1).SelectMany(s => s).ToArray()).ToList();
        var withBanks = new LstmWeights(scaled) { KernelBanks = KernelBankFit.Fit(rows.Count, 200, i => rows[i], inputSize, featureCount) };
        var random = new Random(4);
        return !standardized ? withBanks : new LstmWeights(withBanks)
        {
            FeatureOffset = [.. Enumerable.Range(0, withBanks.FeatureSize).Select(_ => (float)random.NextDouble())],
            FeatureScale = [.. Enumerable.Range(0, withBanks.FeatureSize).Select(_ => (float)(0.5 + random.NextDouble()))],
        };
    }

    private static float[][] KernelPart(float[][] features, int size) => [.. features.Select(f => f[^size..])];

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(3, 1)]
    [DataRow(9, 1)]
    [DataRow(40, 1)]
    [DataRow(200, 1)]
    [DataRow(57, 3)]
    public void OnnxKernelFeaturesAreThePlainReferencesProportionsStandardized(int steps, int inputSize)
    {
        var weights = WithBanks(inputSize);
        var sequences = TestData.Random(5, steps, inputSize, seed: 11);

        var features = Featurize(LstmModel.FromWeights(weights), sequences);

        Assert.AreEqual(3 * Hidden + 168, features[0].Length);
        Assertions.AreClose([.. sequences.Select(s => ReferenceKernelBank.Features(weights, s))], KernelPart(features, 168), 1e-4);
    }

    [TestMethod]
    public void FitGivesMiniRocketsDilationsEachAPaddedAndAnInteriorBankOf42Kernels()
    {
        var weights = WithBanks();

        // 168 features are 2 per kernel: 2 exponents, dilations 2^0 and 2^log2(199/8) = 24 (truncated).
        CollectionAssert.AreEqual(new[] { "1 padded 42×1", "1 interior 42×1", "24 padded 42×1", "24 interior 42×1" },
            weights.KernelBanks.Select(b => $"{b.Dilation} {(b.Padded ? "padded" : "interior")} {b.Kernels}×{b.ThresholdsPerKernel}").ToArray());
        Assert.AreEqual(168, weights.KernelFeatureSize);
    }

    [TestMethod]
    public void EachKernelWeighsThreeTapsTwoAndSixMinusOne()
    {
        var bank = WithBanks().KernelBanks[1];

        // The interior bank of dilation index 0 holds the odd kernels: kernel 1 weights taps 0, 1 and 3.
        CollectionAssert.AreEqual(new[] { 2f, 2f, -1f, 2f, -1f, -1f, -1f, -1f, -1f }, bank.Weight[..9]);
        for (int k = 0; k < bank.Kernels; k++)
        {
            Assert.AreEqual(0f, bank.Weight[(k * 9)..(k * 9 + 9)].Sum(), $"kernel {k}");
        }
    }

    [TestMethod]
    public void SeveralFeaturesGiveEachKernelARandomSubsetOfChannels()
    {
        var bank = WithBanks(inputSize: 3).KernelBanks[0];

        var channelsRead = Enumerable.Range(0, bank.Kernels).Select(k => Enumerable.Range(0, 3).Count(c => bank.Weight[((k * 3) + c) * 9] != 0)).ToArray();

        Assert.IsTrue(channelsRead.All(n => n is >= 1 and <= 3), string.Join(",", channelsRead));
        Assert.IsGreaterThan(1, channelsRead.Distinct().Count(), string.Join(",", channelsRead));
    }

    [TestMethod]
    public void FittingTwiceGivesBitIdenticalBanks()
    {
        var first = WithBanks();
        var second = WithBanks();

        for (int i = 0; i < first.KernelBanks.Count; i++)
        {
            CollectionAssert.AreEqual(first.KernelBanks[i].Weight, second.KernelBanks[i].Weight);
            CollectionAssert.AreEqual(first.KernelBanks[i].Thresholds, second.KernelBanks[i].Thresholds);
        }
    }

    [TestMethod]
    public void TheStandardizationAppliesToTheLstmsFeaturesAsToTheKernels()
    {
        var raw = WithBanks(standardized: false);
        var standardized = WithBanks();
        var sequences = TestData.Random(3, 30, 1, seed: 6);

        var unscaled = Featurize(LstmModel.FromWeights(raw), sequences);
        var features = Featurize(LstmModel.FromWeights(standardized), sequences);

        Assertions.AreClose([.. unscaled.Select(f => f.Select((v, i) => (v - standardized.FeatureOffset![i]) * standardized.FeatureScale![i]).ToArray())], features, 1e-5);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow(1.0)]
    [DataRow(1e-6)]
    [DataRow(1e6)]
    public void ClassificationTrainingStandardizesEveryFeatureOverTheTrainingRowsToTheDeviationAsked(double? asked)
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(ml, 40, 30, i => i % 2 == 0 ? "a" : "b", seed: 4);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [4], ConvKernelSizes = [3], Epochs = 1, KernelFeatures = 84,
            FeatureDeviation = asked,
        }).Fit(data);

        var scale = transformer.Model.GetWeights().FeatureScale!;

        const int Size = 3 * Hidden + 4 + 84;
        Assert.HasCount(Size, scale);
        // By default the whole vector has deviation 1: each of the 112 features 1/√112.
        AssertStandardized(TestData.Features(transformer.Transform(data)), scale, asked ?? 1 / Math.Sqrt(Size));
    }

    [TestMethod]
    public void RegressionTrainingStandardizesEachFeatureToOneOverTheRootOfTheirCountByDefault()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 30).Select(i => new VariableRow
        {
            Sequence = [.. Enumerable.Range(0, 40).Select(_ => (float)random.NextDouble())],
            Label = i % 3,
        }).ToList());
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Regression, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [], Epochs = 1, KernelFeatures = 84,
        }).Fit(data);

        var scale = transformer.Model.GetWeights().FeatureScale!;

        Assert.HasCount(3 * Hidden + 84, scale);
        AssertStandardized(TestData.Features(transformer.Transform(data)), scale, 1 / Math.Sqrt(3 * Hidden + 84));
    }

    /// <summary>
    /// Every feature has mean 0 and deviation <paramref name="target"/> over the rows, but one that
    /// varied less than 0.01, which is divided by 0.01 (scale target / 0.01) and keeps a smaller
    /// deviation; most features vary more.
    /// </summary>
    private static void AssertStandardized(float[][] features, float[] scale, double target)
    {
        float floorScale = (float)(target / 0.01);
        for (int i = 0; i < scale.Length; i++)
        {
            double mean = features.Average(f => (double)f[i]);
            double deviation = Math.Sqrt(features.Average(f => (f[i] - mean) * (f[i] - mean)));
            Assert.AreEqual(0, mean, 1e-4 * Math.Max(1, target), $"feature {i}");
            if (scale[i] < floorScale * 0.999f)
            {
                Assert.AreEqual(target, deviation, target * 1e-3, $"feature {i}");
            }
            else
            {
                Assert.IsLessThanOrEqualTo(target * 1.001, deviation, $"feature {i}");
            }
        }
        Assert.IsGreaterThan(scale.Length / 2, scale.Count(v => v < floorScale * 0.999f));
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(-1.0)]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    [DataRow(1e-7)]
    [DataRow(2e6)]
    public void AFeatureDeviationOutsideOneMillionthToOneMillionIsRefused(double deviation)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", FeatureDeviation = deviation }));

        Assert.AreEqual(FormattableString.Invariant($"LstmTrainingOptions.FeatureDeviation: expected null (1/√(feature count) each) or 1e-6 to 1e6, found {deviation}. (Parameter 'FeatureDeviation')"), e.Message);
    }

    [TestMethod]
    public void AFeatureDeviationWithStandardizeFeaturesFalseIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", StandardizeFeatures = false, FeatureDeviation = 0.5 }));

        Assert.AreEqual("LstmTrainingOptions.FeatureDeviation: StandardizeFeatures is false, so no feature is standardized to it; expected null, or StandardizeFeatures null or true. (Parameter 'FeatureDeviation')", e.Message);
    }

    [TestMethod]
    [DataRow(LstmObjective.NextStep, null)]
    [DataRow(LstmObjective.Reconstruction, null)]
    [DataRow(LstmObjective.NextStep, false)]
    [DataRow(LstmObjective.Reconstruction, false)]
    public void ObjectivesWithoutStandardizationRefuseAFeatureDeviation(LstmObjective objective, bool? standardize)
    {
        // With StandardizeFeatures false too, the objective is named: turning standardization on would not help.
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = objective, StandardizeFeatures = standardize, FeatureDeviation = 0.5 }));

        Assert.AreEqual($"LstmTrainingOptions.FeatureDeviation: the {objective} objective's representation is not standardized; expected null. (Parameter 'FeatureDeviation')", e.Message);
    }

    [TestMethod]
    public void StandardizeFeaturesFalseLeavesTheFeaturesAsTheModelGivesThem()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(ml, 24, 20, i => i % 2 == 0 ? "a" : "b", seed: 4);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [], Epochs = 1, StandardizeFeatures = false,
        }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.IsNull(weights.FeatureOffset);
        Assert.IsNull(weights.FeatureScale);
    }

    [TestMethod]
    public void TheNextStepObjectiveRefusesStandardizeFeatures()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.NextStep, StandardizeFeatures = true }));

        Assert.AreEqual("LstmTrainingOptions.StandardizeFeatures: the NextStep objective's representation is not the LastMeanMax features; expected null or false. (Parameter 'StandardizeFeatures')", e.Message);
    }

    [TestMethod]
    public void ClassificationTrainingPutsTheKernelFeaturesAfterTheLstmsAndTheBranchs()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(ml, 40, 30, i => i % 2 == 0 ? "a" : "b", seed: 4);
        var options = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [4], ConvKernelSizes = [3], Epochs = 1, KernelFeatures = 200,
        };

        using var transformer = ml.Transforms.LstmFeaturizeSequence(options).Fit(data);
        var weights = transformer.Model.GetWeights();
        var features = TestData.Features(transformer.Transform(data));
        var sequences = data.GetColumn<float[]>("Sequence").Select(s => s.Select(v => new[] { v }).ToArray()).ToArray();

        Assert.AreEqual(168, weights.KernelFeatureSize);
        Assert.AreEqual(3 * Hidden + 4 + 168, features[0].Length);
        Assertions.AreClose([.. sequences.Select(s => ReferenceKernelBank.Features(weights, s))], KernelPart(features, 168), 1e-3);
    }

    [TestMethod]
    public void ByDefaultClassificationAdds3948KernelFeaturesAndZeroLeavesThemOut()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(ml, 24, 20, i => i % 2 == 0 ? "a" : "b", seed: 4);
        LstmModel Trained(int? kernelFeatures)
        {
            using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
            {
                Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [], Epochs = 1, KernelFeatures = kernelFeatures,
            }).Fit(data);
            return transformer.Model;
        }

        Assert.AreEqual(3948, Trained(null).GetWeights().KernelFeatureSize);
        Assert.AreEqual(0, Trained(0).GetWeights().KernelFeatureSize);
    }

    [TestMethod]
    public void FewerKernelFeaturesThanKernelsAreRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", KernelFeatures = 50 }));

        Assert.AreEqual("LstmTrainingOptions.KernelFeatures: expected null (chosen from the objective), 0 for none, or 84 (one per MiniRocket kernel) to 100000, found 50. (Parameter 'KernelFeatures')", e.Message);
    }

    [TestMethod]
    public void TheNextStepObjectiveRefusesKernelFeatures()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.NextStep, KernelFeatures = 168 }));

        Assert.AreEqual("LstmTrainingOptions.KernelFeatures: the NextStep objective's representation does not read kernel features; expected null or 0. (Parameter 'KernelFeatures')", e.Message);
    }

    [TestMethod]
    public void SaveOnnxAndFromOnnxCarryTheBanksExactly()
    {
        var weights = WithBanks(inputSize: 2);
        var model = LstmModel.FromWeights(weights);
        var sequences = TestData.Random(4, 50, 2, seed: 8);

        var read = LstmModel.FromOnnx(new MemoryStream(model.ToOnnxBytes()));
        var back = read.GetWeights();

        Assert.HasCount(weights.KernelBanks.Count, back.KernelBanks);
        for (int i = 0; i < weights.KernelBanks.Count; i++)
        {
            var (a, b) = (weights.KernelBanks[i], back.KernelBanks[i]);
            Assert.AreEqual($"{a.Dilation} {a.Padded} {a.Kernels} {a.InputChannels} {a.KernelSize} {a.ThresholdsPerKernel}", $"{b.Dilation} {b.Padded} {b.Kernels} {b.InputChannels} {b.KernelSize} {b.ThresholdsPerKernel}");
            CollectionAssert.AreEqual(a.Weight, b.Weight);
            CollectionAssert.AreEqual(a.Thresholds, b.Thresholds);
        }
        CollectionAssert.AreEqual(weights.FeatureOffset, back.FeatureOffset);
        CollectionAssert.AreEqual(weights.FeatureScale, back.FeatureScale);
        CollectionAssert.AreEqual(model.ToOnnxBytes(), LstmModel.FromWeights(back).ToOnnxBytes());
        Assertions.AreClose(Featurize(model, sequences), Featurize(read, sequences), 0);
    }

    [TestMethod]
    public void AModelZipCarriesTheKernelFeatures()
    {
        var ml = new MLContext(seed: 1);
        var sequences = TestData.Random(6, 40, 1, seed: 8);
        var data = TestData.Sequences(ml, sequences);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(WithBanks())).Fit(data);
        using var zip = new MemoryStream();
        ml.Model.Save(transformer, data.Schema, zip);
        zip.Position = 0;

        var loaded = ml.Model.Load(zip, out _);

        Assertions.AreClose(TestData.Features(transformer.Transform(data)), TestData.Features(loaded.Transform(data)), 0);
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void ConvertToOnnxExportsTheBanksWithOpsetElevenOperatorsAndTheSameNumbers()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(30, 23, seed: 3);
        var data = TestData.Sequences(ml, rows, 23);
        using var pipeline = ml.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(WithBanks())).Fit(data);
        using var stream = new MemoryStream();

        ml.Model.ConvertToOnnx(pipeline, data, 11, stream);

        var exported = ModelProto.Parser.ParseFrom(stream.ToArray());
        Assert.AreEqual(11, exported.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        Assert.AreEqual(4, exported.Graph.Node.Count(n => n.OpType == "Conv"));
        var exportedFeatures = ExportedFeatures.Run(stream.ToArray(), rows, 23);
        var expected = TestData.Features(pipeline.Transform(data));
        Assert.HasCount(3 * Hidden + 168, expected[0]);
        Assertions.AreClose(expected, exportedFeatures, 1e-5);
    }

    [TestMethod]
    public void Int8RewritesTheLstmAndLeavesTheKernelFeaturesExact()
    {
        var model = LstmModel.FromWeights(WithBanks());
        var sequences = TestData.Random(5, 60, 1, seed: 12);

        var fp32 = Featurize(model, sequences);
        var int8 = Featurize(model, sequences, new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 });

        Assertions.AreClose(KernelPart(fp32, 168), KernelPart(int8, 168), 0);
    }

    [TestMethod]
    public void OtherRepresentationsLeaveTheKernelFeaturesOut()
    {
        var features = Featurize(LstmModel.FromWeights(WithBanks()), TestData.Random(2, 30, 1, seed: 1), new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden });

        Assert.AreEqual(Hidden, features[0].Length);
    }

    [TestMethod]
    public void ABankReadingOtherChannelsThanTheInputIsRefused()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(1, Hidden).GetWeights()) { KernelBanks = [new LstmKernelBankWeights(2, 3, 9, 1, 1, padded: true)] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.KernelBanks: kernel bank 0 reads 2 channel(s); expected 1, the model's features per step. (Parameter 'KernelBanks')", e.Message);
    }

    [TestMethod]
    public void ANaNThresholdIsRefusedWithItsBankAndIndex()
    {
        var bank = new LstmKernelBankWeights(1, 3, 9, 2, 2, padded: false);
        bank.Thresholds[4] = float.NaN;
        var weights = new LstmWeights(LstmModel.CreateRandom(1, Hidden).GetWeights()) { KernelBanks = [bank] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights kernel bank 0, Thresholds: expected finite values, found NaN at index 4. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void AStandardizationOfTheWrongLengthIsRefused()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(1, Hidden).GetWeights()) { KernelBanks = [new LstmKernelBankWeights(1, 3, 9, 1, 2, padded: true)], FeatureScale = [1f, 2f] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.FeatureScale: expected 30 values (one per LastMeanMax feature: the LSTM's, the conv branch's and the kernel banks') or null, found 2. (Parameter 'FeatureScale')", e.Message);
    }

    [TestMethod]
    public void AnEvenKernelIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmKernelBankWeights(1, 3, 8, 1, 1, padded: true));

        Assert.AreEqual("LstmKernelBankWeights: kernel size 8 is even; expected an odd size, padded alike on both sides. (Parameter 'kernelSize')", e.Message);
    }

    [TestMethod]
    public void AGraphWhoseBankDilationWasEditedIsRefusedByName()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(WithBanks()).ToOnnxBytes());
        var conv = proto.Graph.Node.Single(n => n.Name == "kernels3");
        conv.Attribute.Single(a => a.Name == "pads").Ints[0] = 0;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its kernel bank node 'kernels3' (Conv) has inputs or attributes other than MLNet.Lstm writes for the banks it read (their dilations, padding and thresholds).", e.Message);
    }

    [TestMethod]
    public void AGraphWithAnInfiniteThresholdIsRefusedByTensorAndIndex()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(WithBanks()).ToOnnxBytes());
        var thresholds = proto.Graph.Initializer.Single(i => i.Name == "kernels2.thresholds");
        var values = MLNet.Lstm.Onnx.OnnxTensors.ReadFloats(thresholds, "test");
        values[5] = float.PositiveInfinity;
        proto.Graph.Initializer[proto.Graph.Initializer.IndexOf(thresholds)] = MLNet.Lstm.Onnx.OnnxTensors.Float("kernels2.thresholds", values, 42, 1, 1);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its tensor 'kernels2.thresholds' holds Infinity at index 5; expected finite values.", e.Message);
    }

    [TestMethod]
    public void AGraphWhoseFeatureScaleHasTheWrongLengthIsRefused()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(WithBanks()).ToOnnxBytes());
        var scale = proto.Graph.Initializer.Single(i => i.Name == "features.scale");
        proto.Graph.Initializer[proto.Graph.Initializer.IndexOf(scale)] = MLNet.Lstm.Onnx.OnnxTensors.Float("features.scale", [1f, 2f, 3f], 3);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its tensor 'features.scale' holds 3 values; expected 192 (one per LastMeanMax feature: the LSTM's, the conv branch's and the kernel banks').", e.Message);
    }

    [TestMethod]
    public void MoreKernelFeaturesThanTheLimitAreRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", KernelFeatures = int.MaxValue }));

        Assert.AreEqual("LstmTrainingOptions.KernelFeatures: expected null (chosen from the objective), 0 for none, or 84 (one per MiniRocket kernel) to 100000, found 2147483647. (Parameter 'KernelFeatures')", e.Message);
    }

    [TestMethod]
    [DataRow(nameof(LstmTrainingOptions.KernelFeatures), LstmRepresentation.ModelOutput,
        "LstmTrainingOptions.KernelFeatures: the featurizer's representation is ModelOutput, which does not read what it gives (the LastMeanMax features do); expected null, or LstmFeaturizerOptions.Representation = LastMeanMax. (Parameter 'KernelFeatures')")]
    [DataRow(nameof(LstmTrainingOptions.StandardizeFeatures), LstmRepresentation.MeanHidden,
        "LstmTrainingOptions.StandardizeFeatures: the featurizer's representation is MeanHidden, which does not read what it gives (the LastMeanMax features do); expected null, or LstmFeaturizerOptions.Representation = LastMeanMax. (Parameter 'StandardizeFeatures')")]
    [DataRow(nameof(LstmTrainingOptions.FeatureDeviation), LstmRepresentation.LastHidden,
        "LstmTrainingOptions.FeatureDeviation: the featurizer's representation is LastHidden, which does not read what it gives (the LastMeanMax features do); expected null, or LstmFeaturizerOptions.Representation = LastMeanMax. (Parameter 'FeatureDeviation')")]
    public void AFeatureOptionForAnotherRepresentationIsRefused(string option, LstmRepresentation representation, string message)
    {
        var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" };
        switch (option)
        {
            case nameof(LstmTrainingOptions.KernelFeatures): training.KernelFeatures = 168; break;
            case nameof(LstmTrainingOptions.StandardizeFeatures): training.StandardizeFeatures = true; break;
            default: training.FeatureDeviation = 0.5; break;
        }

        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.LstmFeaturizeSequence(
            training, new LstmFeaturizerOptions { Representation = representation }));

        Assert.AreEqual(message, e.Message);
    }

    [TestMethod]
    public void AnotherRepresentationTrainsNoBanksAndNoStandardizationByDefault()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(ml, 24, 20, i => i % 2 == 0 ? "a" : "b", seed: 4);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [], Epochs = 1 },
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(data);

        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(0, weights.KernelFeatureSize);
        Assert.IsNull(weights.FeatureScale);
    }

    [TestMethod]
    public void ANullBankIsRefusedWithItsIndex()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new LstmWeights(1, Hidden) { KernelBanks = [new LstmKernelBankWeights(1, 3, 9, 1, 1, padded: true), null!] });

        Assert.AreEqual("LstmWeights.KernelBanks: kernel bank 1 is null. (Parameter 'KernelBanks')", e.Message);
    }

    [TestMethod]
    public void ANonFiniteFeatureOffsetIsRefused()
    {
        var offset = new float[3 * Hidden];
        offset[7] = float.NegativeInfinity;
        var weights = new LstmWeights(LstmModel.CreateRandom(1, Hidden).GetWeights()) { FeatureOffset = offset };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights FeatureOffset: expected finite values, found -Infinity at index 7. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void AGraphFromAnotherProducerIsNotReadForBanksOrStandardization()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.FromWeights(WithBanks()).ToOnnxBytes());
        proto.ProducerName = "pytorch";

        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));
        var features = Featurize(model, TestData.Random(2, 30, 1, seed: 1));
        var raw = Featurize(LstmModel.FromWeights(new LstmWeights(WithBanks(standardized: false)) { KernelBanks = [] }), TestData.Random(2, 30, 1, seed: 1));

        Assertions.AreClose(raw, features, 0);
    }

    [TestMethod]
    [DataRow(LstmObjective.Classification, 5)]
    [DataRow(LstmObjective.Regression, 12)]
    public void TrainingOnRowsOfSeveralLengthsFitsBanksFromTheShortest(LstmObjective objective, int shortest)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 30).Select(i => new VariableRow
        {
            Sequence = [.. Enumerable.Range(0, i == 0 ? shortest : 40 + i).Select(_ => (float)random.NextDouble())],
            Label = i % 2,
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var input = objective == LstmObjective.Classification ? ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data) : data;
        using var transformer = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = objective, LabelColumnName = "Label", HiddenSize = Hidden, ConvChannels = [], Epochs = 1, KernelFeatures = 168,
        }).Fit(input);
        var weights = transformer.Model.GetWeights();

        var features = TestData.Features(transformer.Transform(input));

        // Rows of 5 steps leave MiniRocket no dilation above 1; of 12, 2^log2(11/8) = 1.37 truncates to 1 as well.
        CollectionAssert.AreEqual(new[] { 1, 1 }, weights.KernelBanks.Select(b => b.Dilation).ToArray());
        Assertions.AreClose([.. rows.Select(r => ReferenceKernelBank.Features(weights, [.. r.Sequence.Select(v => new[] { v })]))], KernelPart(features, 168), 1e-3);
    }

    private sealed class VariableRow
    {
        public float[] Sequence { get; set; } = [];

        public float Label { get; set; }
    }
}

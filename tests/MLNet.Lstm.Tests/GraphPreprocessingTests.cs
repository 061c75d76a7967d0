using Microsoft.ML;
using MLNet.Lstm.Data;
using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Input standardization, pooling over time and the LastMeanMax head are nodes of the ONNX
/// graph: they match a plain C# reference, training preprocesses exactly as the graph does,
/// and every route in and out of a model keeps them.
/// </summary>
[TestClass]
public sealed class GraphPreprocessingTests
{
    public static IEnumerable<object[]> Cases =>
        from bidirectional in new[] { false, true }
        from stride in new[] { 1, 3 }
        from representation in LstmRepresentations.WithReferences
        select new object[] { bidirectional, stride, representation };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ScalingPoolingAndTheLastMeanMaxHeadMatchTheReferenceLstm(bool bidirectional, int stride, LstmRepresentation representation)
    {
        var model = LstmModel.FromWeights(Preprocessed(bidirectional, stride));
        // 7 steps pooled by 3: two full windows and a last one of a single step.
        var sequences = TestData.Random(count: 5, steps: 7, features: 2, seed: 21);
        var reference = new ReferenceLstm(model.GetWeights());
        var expected = sequences.Select(s => reference.Run(s).Get(representation).Select(v => (float)v).ToArray()).ToArray();
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = representation }).Fit(data);

        Assertions.AreClose(expected, TestData.Features(transformer.Transform(data)), 1e-5);
    }

    [TestMethod]
    public void PoolingAveragesTheLastPartialWindowOverTheStepsItHolds()
    {
        var weights = new LstmWeights(inputSize: 1, hiddenSize: 2) { PoolingStride = 4 };
        var reference = new ReferenceLstm(weights);

        var pooled = reference.Preprocess([[1f], [2f], [3f], [4f], [10f], [20f]]);

        CollectionAssert.AreEqual(new[] { 2.5, 15.0 }, pooled.Select(step => step[0]).ToArray());
    }

    [TestMethod]
    public void NextStepErrorComparesForecastsWithTheScaledAndPooledInput()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, outputSize: 2, seed: 3).GetWeights())
        {
            InputOffset = [0.5f, -1f],
            InputScale = [2f, 0.25f],
            PoolingStride = 2,
        };
        var model = LstmModel.FromWeights(weights);
        var sequences = TestData.Random(count: 4, steps: 9, features: 2, seed: 22);
        var reference = new ReferenceLstm(weights);
        var expected = sequences.Select(s => reference.Run(s).NextStepError.Select(v => (float)v).ToArray()).ToArray();
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }).Fit(data);

        Assertions.AreClose(expected, TestData.Features(transformer.Transform(data)), 1e-5);
    }

    [TestMethod]
    public void TrainingPreprocessesRowsExactlyAsTheGraphDoes()
    {
        var weights = Preprocessed(bidirectional: false, stride: 3);
        var sequences = TestData.Random(count: 4, steps: 8, features: 2, seed: 23);
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);
        var set = TrainingSet.Read(data, SequenceInputBinding.Create(data.Schema, new LstmFeaturizerOptions(), inputSize: 2),
            TrainingObjective.For(LstmObjective.NextStep), labelColumnName: null);

        set.Preprocess(weights);

        var reference = new ReferenceLstm(weights);
        for (int row = 0; row < sequences.Length; row++)
        {
            var expected = reference.Preprocess(sequences[row]);
            var batch = set.Batch([row]);
            Assert.AreEqual(expected.Length, batch.Steps);
            var actual = batch.Inputs.Select(v => (double)v).ToArray();
            CollectionAssert.AreEqual(expected.SelectMany(step => step).Select(v => Math.Round(v, 5)).ToArray(),
                actual.Select(v => Math.Round(v, 5)).ToArray(), $"row {row}");
        }
    }

    [TestMethod]
    public void SaveOnnxAndFromOnnxKeepThePreprocessingAndTheHeadInputExactly()
    {
        var weights = Preprocessed(bidirectional: true, stride: 3);
        string path = Path.Combine(Path.GetTempPath(), $"preprocessed-{Guid.NewGuid():N}.onnx");
        try
        {
            LstmModel.FromWeights(weights).SaveOnnx(path);

            var again = LstmModel.FromOnnx(path).GetWeights();

            CollectionAssert.AreEqual(weights.InputOffset, again.InputOffset);
            CollectionAssert.AreEqual(weights.InputScale, again.InputScale);
            Assert.AreEqual(3, again.PoolingStride);
            Assert.AreEqual(LstmHeadInput.LastMeanMax, again.HeadInput);
            CollectionAssert.AreEqual(weights.HeadWeight, again.HeadWeight);
            Assert.AreEqual(3 * 2 * 4, again.HeadInputWidth);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AModelWithoutPreprocessingReadsBackWithoutIt()
    {
        var again = LstmModel.FromOnnx(new MemoryStream(LstmModel.CreateRandom(2, 3, outputSize: 1).ToOnnxBytes())).GetWeights();

        Assert.IsNull(again.InputOffset);
        Assert.IsNull(again.InputScale);
        Assert.AreEqual(1, again.PoolingStride);
        Assert.AreEqual(LstmHeadInput.LastStep, again.HeadInput);
    }

    [TestMethod]
    public void FineTuningKeepsTheInitialModelsPreprocessing()
    {
        var initial = LstmModel.FromWeights(Preprocessed(bidirectional: false, stride: 2, outputSize: 2));
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineOrSquare(count: 32, steps: 12, seed: 4), 12);

        var trained = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            InitialModel = LstmModel.FromWeights(OneFeature(initial.GetWeights())),
            Epochs = 1,
        }).Fit(data).Model.GetWeights();

        CollectionAssert.AreEqual(new[] { 0.5f }, trained.InputOffset);
        CollectionAssert.AreEqual(new[] { 2f }, trained.InputScale);
        Assert.AreEqual(2, trained.PoolingStride);
        Assert.AreEqual(LstmHeadInput.LastMeanMax, trained.HeadInput);
    }

    [TestMethod]
    public void TrainingLearnsTheStandardizationAndPoolingFromTheTrainingRows()
    {
        var mlContext = new MLContext(seed: 1);
        // 200 steps, default MaxSteps 64: stride ⌈200 / 64⌉ = 4.
        var rows = TestData.SineOrSquare(count: 16, steps: 200, seed: 5);
        foreach (var row in rows)
        {
            for (int t = 0; t < row.Sequence.Length; t++)
            {
                row.Sequence[t] = 3f * row.Sequence[t] + 10f;
            }
        }
        var values = rows.SelectMany(r => r.Sequence).Select(v => (double)v).ToArray();
        double mean = values.Average();
        double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
            Epochs = 1,
        }).Fit(TestData.Sequences(mlContext, rows, 200));
        var weights = transformer.Model.GetWeights();

        Assert.AreEqual(4, weights.PoolingStride);
        Assert.AreEqual(mean, weights.InputOffset![0], 1e-4);
        Assert.AreEqual(1 / std, weights.InputScale![0], 1e-4);
    }

    [TestMethod]
    public void WeightsWithAScaleOfTheWrongLengthAreRefused()
    {
        var weights = new LstmWeights(inputSize: 3, hiddenSize: 2) { InputScale = [1f, 2f] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.InputScale: expected 3 values (one per feature) or null, found 2. (Parameter 'InputScale')", e.Message);
    }

    [TestMethod]
    public void WeightsWithANonFiniteOffsetAreRefused()
    {
        var weights = new LstmWeights(inputSize: 1, hiddenSize: 2) { InputOffset = [float.NaN] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.InputOffset: expected finite values, found NaN. (Parameter 'InputOffset')", e.Message);
    }

    [TestMethod]
    public void APoolingStrideBelowOneIsRefused()
    {
        var weights = new LstmWeights(inputSize: 1, hiddenSize: 2) { PoolingStride = 0 };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.PoolingStride: expected at least 1, found 0. (Parameter 'PoolingStride')", e.Message);
    }

    [TestMethod]
    public void RowsShorterThanThePoolingStrideBecomeOneStepOfTheirMean()
    {
        var weights = Preprocessed(bidirectional: false, stride: 5);
        var model = LstmModel.FromWeights(weights);
        // Variable-size rows of 1, 3, 5 and 11 steps: the first two are shorter than one window.
        var sequences = new[] { 1, 3, 5, 11 }.Select((steps, i) => TestData.Random(count: 1, steps: steps, features: 2, seed: 30 + i)[0]).ToArray();
        var reference = new ReferenceLstm(weights);
        var expected = sequences.Select(s => reference.Run(s).LastMeanMax.Select(v => (float)v).ToArray()).ToArray();
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(sequences.Select(s => new SequenceRow { Sequence = [.. s.SelectMany(step => step)] }));

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data);

        Assertions.AreClose(expected, TestData.Features(transformer.Transform(data)), 1e-5);
    }

    [TestMethod]
    public void AConstantFeatureIsCentredButNotScaled()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(count: 16, steps: 20, seed: 6);
        foreach (var row in rows)
        {
            Array.Fill(row.Sequence, 7f);
        }

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
            Epochs = 1,
        }).Fit(TestData.Sequences(mlContext, rows, 20));
        var weights = transformer.Model.GetWeights();

        CollectionAssert.AreEqual(new[] { 7f }, weights.InputOffset);
        CollectionAssert.AreEqual(new[] { 1f }, weights.InputScale);
        Assert.IsTrue(TestData.Features(transformer.Transform(TestData.Sequences(mlContext, rows, 20))).SelectMany(f => f).All(float.IsFinite));
    }

    [TestMethod]
    public void APoolingNodeWhoseKernelDiffersFromItsStrideIsRefused()
    {
        var proto = Onnx.Proto.ModelProto.Parser.ParseFrom(LstmModel.FromWeights(Preprocessed(bidirectional: false, stride: 3)).ToOnnxBytes());
        var pool = proto.Graph.Node.Single(n => n.OpType == "AveragePool");
        pool.Attribute.Single(a => a.Name == "kernel_shape").Ints[0] = 2;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto))));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its pooling node 'time_pool' must average windows of one size, kernel_shape equal to strides, ceil_mode 1, no pads.", e.Message);
    }

    [TestMethod]
    public void AScalingTensorOfTheWrongLengthInAFileIsRefused()
    {
        var proto = Onnx.Proto.ModelProto.Parser.ParseFrom(LstmModel.FromWeights(Preprocessed(bidirectional: false, stride: 1)).ToOnnxBytes());
        var scale = proto.Graph.Initializer.Single(i => i.Name == "input.scale");
        scale.Dims[0] = 3;
        scale.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[12]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto))));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its input scaling tensor 'input.scale' holds 3 values; expected 2, one per feature.", e.Message);
    }

    private static LstmWeights Preprocessed(bool bidirectional, int stride, int outputSize = 3)
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, outputSize: outputSize, bidirectional: bidirectional, seed: 9).GetWeights())
        {
            HeadInput = LstmHeadInput.LastMeanMax,
            InputOffset = [0.5f, -1.5f],
            InputScale = [2f, 0.5f],
            PoolingStride = stride,
        };
        var random = new Random(10);
        for (int i = 0; i < weights.HeadWeight!.Length; i++)
        {
            weights.HeadWeight[i] = (float)(random.NextDouble() - 0.5);
        }
        return weights;
    }

    /// <summary>The same preprocessing and head for one feature, so a one-feature data set can fine-tune it.</summary>
    private static LstmWeights OneFeature(LstmWeights source)
    {
        return new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: source.HiddenSize, outputSize: source.OutputSize, seed: 2).GetWeights())
        {
            HeadInput = source.HeadInput,
            InputOffset = [source.InputOffset![0]],
            InputScale = [source.InputScale![0]],
            PoolingStride = source.PoolingStride,
        };
    }
}

using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Numbers a user or an attacker might hand over — NaN and infinity in weights, labels and
/// options, sizes past what an array holds, data too small to learn from — are refused with a
/// message naming the tensor, row or option, never turned into finite-looking garbage.
/// </summary>
[TestClass]
public sealed class HostileNumbersTests
{
    [TestMethod]
    public void FromWeightsRefusesNaNInACellTensorNamingIt()
    {
        var weights = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, seed: 1).GetWeights();
        weights.GetCell(0, 0).WeightHh[5] = float.NaN;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights layer 0, direction 0, WeightHh: expected finite values, found NaN at index 5. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void FromWeightsRefusesInfinityInTheHeadNamingIt()
    {
        var weights = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 2, seed: 1).GetWeights();
        weights.HeadBias![1] = float.NegativeInfinity;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights HeadBias: expected finite values, found -Infinity at index 1. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void FromOnnxStreamRefusesNaNInAnInitializerNamingIt()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, seed: 1).ToOnnxBytes());
        SetValue(proto.Graph.Initializer.Single(t => t.Name == "lstm0_R"), 3, float.NaN);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its tensor 'lstm0_R' (read by LSTM node 'lstm0') holds NaN at index 3; expected finite parameters.", e.Message);
    }

    [TestMethod]
    public void FromOnnxFileRefusesInfinityInAConstantNodeNamingIt()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 1, seed: 1).ToOnnxBytes());
        var head = proto.Graph.Initializer.Single(t => t.Name == "fc.weight");
        proto.Graph.Initializer.Remove(head);
        SetValue(head, 2, float.PositiveInfinity);
        proto.Graph.Node.Insert(0, new NodeProto
        {
            OpType = "Constant",
            Name = "head_weight",
            Output = { "fc.weight" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = head } },
        });
        string path = Path.Combine(Path.GetTempPath(), $"hostile-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: its tensor 'fc.weight' (read by Gemm node 'fc') holds Infinity at index 2; expected finite parameters.", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void InfiniteLearningRateIsRefusedAtConstruction()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { LearningRate = float.PositiveInfinity }));

        Assert.AreEqual("LstmTrainingOptions.LearningRate: expected a finite rate (1e-4 to 1e-1 is usual), found Infinity. (Parameter 'LearningRate')", e.Message);
    }

    [TestMethod]
    public void NaNForgetGateBiasIsRefusedAtConstruction()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { ForgetGateBias = float.NaN }));

        Assert.AreEqual("LstmTrainingOptions.ForgetGateBias: expected a finite bias (0 to 3 is usual), found NaN. (Parameter 'ForgetGateBias')", e.Message);
    }

    [TestMethod]
    // The LSTM's gates saturate, so its step leaves infinite parameters; the convolutional branch's
    // ReLUs do not, so with it the next batch's loss is infinite first.
    [DataRow(false, "a parameter became NaN or infinity")]
    [DataRow(true, "the loss became NaN or infinity")]
    public void TrainingThatDivergesStopsNamingTheEpochAndBatch(bool convBranch, string what)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineOrSquare(count: 32, steps: 12, seed: 1), 12);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 8,
            Epochs = 3,
            LearningRate = 1e30f,
            ConvChannels = convBranch ? null : [],
        });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(data));

        Assert.AreEqual($"LSTM training diverged in epoch 1, batch 2: {what}. Lower LearningRate (it is 1E+30), keep GradientClipNorm set, and check that the labels are of moderate size.", e.Message);
    }

    [TestMethod]
    [DataRow(float.NaN, "NaN")]
    [DataRow(float.PositiveInfinity, "Infinity")]
    public void NonFiniteRegressionLabelIsRefusedWithItsRow(float bad, string shown)
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.Random(count: 12, steps: 5, features: 1, seed: 3)
            .Select((s, i) => new RegressionRow { Sequence = [.. s.SelectMany(step => step)], Target = i == 7 ? bad : i })
            .ToList();
        var data = Regression(mlContext, rows, 5);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Regression,
            LabelColumnName = nameof(RegressionRow.Target),
            HiddenSize = 4,
            Epochs = 1,
        });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(data));

        Assert.AreEqual($"Row 7 of label column 'Target': the Regression objective expects finite values, found {shown}. Drop or replace such rows before training (e.g. FilterRowsByMissingValues).", e.Message);
    }

    [TestMethod]
    public void RegressionLabelTooLargeForTheLossStopsTrainingNamingTheEpochAndBatch()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.Random(count: 12, steps: 5, features: 1, seed: 3)
            .Select((s, i) => new RegressionRow { Sequence = [.. s.SelectMany(step => step)], Target = i == 7 ? 1e30f : i })
            .ToList();
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Regression,
            LabelColumnName = nameof(RegressionRow.Target),
            HiddenSize = 4,
            Epochs = 1,
            Shuffle = false,
        });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(Regression(mlContext, rows, 5)));

        Assert.AreEqual("LSTM training diverged in epoch 1, batch 1: the loss became NaN or infinity. Lower LearningRate (it is 0.01), keep GradientClipNorm set, and check that the labels are of moderate size.", e.Message);
    }

    [TestMethod]
    public void ValidationFractionThatLeavesNoTrainingRowsIsRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineOrSquare(count: 64, steps: 8, seed: 1), 8);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
            ValidationFraction = 0.999,
        });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(data));

        Assert.AreEqual("LSTM training: ValidationFraction 0.999 holds out 64 of the 64 rows, leaving 0 to train on; expected at least 4. Lower ValidationFraction, or set it to 0.", e.Message);
    }

    [TestMethod]
    public void ClassesTooSmallForTheirShareStillHoldOutTheValidationShareOverall()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.KeyedClasses(mlContext, 200, steps: 6, i => $"c{i / 2}", seed: 3);
        var messages = new List<string>();
        mlContext.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e.RawMessage);
            }
        };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
            Epochs = 1,
            ConvChannels = [],
            ValidationFraction = 0.1,
        }).Fit(data);

        Assert.AreEqual(1, messages.Count(m => m.StartsWith("LSTM training: Classification, 180 training and 20 validation sequences,", StringComparison.Ordinal)),
            string.Join(Environment.NewLine, messages.Where(m => m.StartsWith("LSTM training:", StringComparison.Ordinal))));
    }


    [TestMethod]
    public void FewerRowsThanTheMinimumAreRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(count: 3, steps: 6, features: 1, seed: 2));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { HiddenSize = 4 });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(data));

        Assert.AreEqual("LSTM training: the data holds 3 rows; expected at least 4 sequences to learn from.", e.Message);
    }

    [TestMethod]
    public void BooleanLabelOfOneClassIsRefusedNamingTheColumnAndClass()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(count: 16, steps: 8, seed: 1).Where(r => !r.Label).ToList();
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 4,
        });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(TestData.Sequences(mlContext, rows, 8)));

        Assert.AreEqual("Label column 'Label': the Classification objective needs rows of at least two classes, found only class 'false' in all 8 rows.", e.Message);
    }

    [TestMethod]
    public void KeyLabelOfOneClassIsRefusedNamingTheClassByItsValue()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.Random(count: 10, steps: 4, features: 1, seed: 4)
            .Select(s => new NamedClassRow { Sequence = [.. s.SelectMany(step => step)], Species = "heron" });
        var schema = SchemaDefinition.Create(typeof(NamedClassRow));
        schema[nameof(NamedClassRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4);
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey(nameof(NamedClassRow.Species))
            .Append(mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
            {
                Objective = LstmObjective.Classification,
                LabelColumnName = nameof(NamedClassRow.Species),
                HiddenSize = 4,
            }));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => pipeline.Fit(data));

        Assert.AreEqual("Label column 'Species': the Classification objective needs rows of at least two classes, found only class 'heron' in all 10 rows.", e.Message);
    }

    [TestMethod]
    public void UndefinedObjectiveIsRefusedAtConstruction()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = (LstmObjective)42 }));

        Assert.AreEqual("LstmTrainingOptions.Objective: expected Classification, Regression, NextStep or Reconstruction, found 42. (Parameter 'Objective')", e.Message);
    }

    [TestMethod]
    public void TrainingOptionsChangedAfterConstructionDoNotChangeWhatFitDoes()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(count: 8, steps: 6, features: 1, seed: 2));
        var training = new LstmTrainingOptions { HiddenSize = 4, Epochs = 1 };
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(training);

        training.HiddenSize = 12;
        training.NumLayers = 2;
        training.Objective = (LstmObjective)42;
        using var transformer = estimator.Fit(data);

        Assert.AreEqual(4, transformer.Model.HiddenSize);
        Assert.AreEqual(1, transformer.Model.NumLayers);
        Assert.AreEqual(1, transformer.Model.OutputSize);
    }

    [TestMethod]
    public void NextStepErrorOfAOneStepSequenceIsNaNAndLeavesLongerRowsUnchanged()
    {
        var weights = LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, outputSize: 2, seed: 5).GetWeights();
        var model = LstmModel.FromWeights(weights);
        var sequences = new[] { 1, 5, 1 }.Select((steps, i) => TestData.Random(count: 1, steps: steps, features: 2, seed: 40 + i)[0]).ToArray();
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(sequences.Select(s => new SequenceRow { Sequence = [.. s.SelectMany(step => step)] }));

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }).Fit(data);
        var scores = TestData.Features(transformer.Transform(data));

        Assert.IsTrue(float.IsNaN(scores[0][0]), $"T = 1 scored {scores[0][0]}");
        Assert.IsTrue(float.IsNaN(scores[2][0]), $"T = 1 scored {scores[2][0]}");
        Assert.AreEqual(new ReferenceLstm(weights).Run(sequences[1]).NextStepError[0], scores[1][0], 1e-5);
    }

    [TestMethod]
    public void NextStepErrorIsNaNWhenPoolingLeavesTheLstmOneStep()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 1, seed: 6).GetWeights()) { PoolingStride = 4 };
        var model = LstmModel.FromWeights(weights);
        var mlContext = new MLContext(seed: 1);
        var fourSteps = TestData.Sequences(mlContext, TestData.Random(count: 2, steps: 4, features: 1, seed: 7));
        var fiveSteps = TestData.Random(count: 2, steps: 5, features: 1, seed: 8);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }).Fit(fourSteps);
        var pooledToOne = TestData.Features(transformer.Transform(fourSteps));
        var pooledToTwo = TestData.Features(transformer.Transform(TestData.Sequences(mlContext, fiveSteps)));

        Assert.IsTrue(pooledToOne.All(row => float.IsNaN(row[0])), "4 steps pooled by 4 are one step");
        var reference = new ReferenceLstm(weights);
        Assertions.AreClose(fiveSteps.Select(s => reference.Run(s).NextStepError.Select(v => (float)v).ToArray()).ToArray(), pooledToTwo, 1e-5);
    }

    [TestMethod]
    [DataRow(32768, 4294967296L)]
    [DataRow(100000, 40000000000L)]
    public void HiddenSizeWhoseRecurrenceWeightsExceedAnArrayIsRefused(int hiddenSize, long elements)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmWeights(inputSize: 1, hiddenSize));

        Assert.AreEqual($"LstmWeights: hiddenSize {hiddenSize} makes WeightHh (4·hiddenSize × hiddenSize) hold {elements} values; expected at most 2147483591 per tensor (the longest .NET array). (Parameter 'hiddenSize')", e.Message);
    }

    [TestMethod]
    public void InputSizeWhoseInputWeightsExceedAnArrayIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmWeights(inputSize: 100_000_000, hiddenSize: 8));

        Assert.AreEqual("LstmWeights: inputSize 100000000 makes layer 0's WeightIh (4·hiddenSize × inputSize) hold 3200000000 values; expected at most 2147483591 per tensor (the longest .NET array). (Parameter 'inputSize')", e.Message);
    }

    [TestMethod]
    public void TrainingHiddenSizeWhoseWeightsExceedAnArrayIsRefusedAtConstruction()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { HiddenSize = 23171 }));

        Assert.AreEqual("LstmTrainingOptions.HiddenSize: expected at most 23170 (its 4·H × H recurrence weights must fit one array), found 23171. (Parameter 'HiddenSize')", e.Message);
    }

    [TestMethod]
    public void TheTensorBoundIsTheLongestDotNetArray() => Assert.AreEqual(LstmDefaults.MaxTensorElements, Array.MaxLength);

    [TestMethod]
    public void OnnxHiddenSizeWhoseWeightsExceedAnArrayIsRefusedNamingTheNode()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, numLayers: 2, seed: 1).ToOnnxBytes());
        foreach (var node in proto.Graph.Node.Where(n => n.OpType == "LSTM"))
        {
            node.Attribute.Single(a => a.Name == "hidden_size").I = 1_000_000_000;
        }

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: LSTM node 'lstm0' has hidden_size 1000000000, which makes its recurrence weights R (directions × 4·hidden_size × hidden_size) hold 4000000000000000000 values; expected at most 2147483591 per tensor.", e.Message);
    }

    [TestMethod]
    public void BatchSizeAboveTheBoundIsRefusedAtConstruction()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { BatchSize = 65537 }));

        Assert.AreEqual("LstmFeaturizerOptions.BatchSize: expected at most 65536 rows per call (past about 1024 a batch is no faster per row), found 65537. (Parameter 'BatchSize')", e.Message);
    }

    [TestMethod]
    public void IntraOpNumThreadsAboveTheBoundIsRefusedAtConstruction()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { IntraOpNumThreads = 10000 }));

        Assert.AreEqual("LstmFeaturizerOptions.IntraOpNumThreads: expected at most 256 threads (null uses every core), found 10000. (Parameter 'IntraOpNumThreads')", e.Message);
    }

    private static IDataView Regression(MLContext mlContext, IEnumerable<RegressionRow> rows, int length)
    {
        var schema = SchemaDefinition.Create(typeof(RegressionRow));
        schema[nameof(RegressionRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class RegressionRow
    {
        public float[] Sequence { get; set; } = [];

        public float Target { get; set; }
    }

    private static void SetValue(TensorProto tensor, int index, float value)
    {
        var values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        values[index] = value;
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private sealed class NamedClassRow
    {
        public float[] Sequence { get; set; } = [];

        public string Species { get; set; } = "";
    }
}

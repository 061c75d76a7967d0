using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>Bad input is refused early, with a message naming the column or file, what was expected and what was found.</summary>
[TestClass]
public sealed class ErrorTests
{
    private static readonly MLContext MLContext = new(seed: 1);

    [TestMethod]
    public void MissingColumnIsRefusedAtFit()
    {
        var data = TestData.Sequences(MLContext, TestData.Random(2, 4, 1, seed: 1));
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { InputColumnNames = ["Window"] });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Input column 'Window' was not found: expected a vector of Single holding the sequence, found no column of that name. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void MissingColumnIsRefusedByTheSchemaShape()
    {
        var data = TestData.Sequences(MLContext, TestData.Random(2, 4, 1, seed: 1));
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { InputColumnNames = ["Window"] });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestData.Shape(data.Schema)));

        Assert.AreEqual("Input column 'Window' was not found: expected a vector of Single holding the sequence, found no column of that name. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void ColumnThatIsNotAVectorOfSingleIsRefused()
    {
        var data = TestData.Sequences(MLContext, TestData.Random(2, 4, 1, seed: 1));
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { InputColumnNames = ["Id"] });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Input column 'Id': expected a vector of Single, found Int32. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void ScalarColumnIsRefusedByTheSchemaShape()
    {
        var data = TestData.Sequences(MLContext, TestData.Random(2, 4, 1, seed: 1));
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { InputColumnNames = ["Label"] });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestData.Shape(data.Schema)));

        Assert.AreEqual("Input column 'Label': expected a vector of Single, found a scalar of Boolean. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void LengthThatIsNotAMultipleOfTheInputSizeIsRefused()
    {
        var data = TestData.Sequences(MLContext, TestData.Random(2, 5, 2, seed: 1));
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(3, 4));

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Input column 'Sequence': expected a vector of T × 3 values (time-major, 3 features per step, T ≥ 1), found a vector of length 10. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void WrongNumberOfFeatureColumnsIsRefused()
    {
        var data = TestData.Sequences(MLContext, TestData.Random(2, 4, 1, seed: 1));
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(3, 4),
            new LstmFeaturizerOptions { InputColumnNames = ["Sequence", "Sequence"] });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Input columns: expected 1 column holding T × 3 values or 3 columns holding T values each (one per feature), found 2: 'Sequence', 'Sequence'. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void FeatureColumnsOfDifferentLengthsAreRefused()
    {
        var rows = new[] { new TwoChannels { A = [1, 2, 3], B = [1, 2] } };
        var schema = SchemaDefinition.Create(typeof(TwoChannels));
        schema["A"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        schema["B"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 2);
        var data = MLContext.Data.LoadFromEnumerable(rows, schema);
        var estimator = MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(2, 4),
            new LstmFeaturizerOptions { InputColumnNames = ["A", "B"] });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Input column 'B': expected a vector of 3 values (one per step, like column 'A'), found 2. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void MissingModelFileIsRefused()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() =>
            MLContext.Transforms.LstmFeaturizeSequence("Features", "Sequence", "no/such/model.onnx"));

        Assert.AreEqual("ONNX model file 'no/such/model.onnx' does not exist.", e.Message);
    }

    [TestMethod]
    public void FileThatIsNotOnnxIsRefused()
    {
        string path = TempFile([0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.StartsWith($"ONNX model '{path}' cannot be used as an LSTM: it is not an ONNX protobuf (", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void EmptyFileIsRefused()
    {
        string path = TempFile([]);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: it holds no graph.", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OnnxModelWithoutLstmNodeIsRefused()
    {
        using var stream = new MemoryStream(OnnxWithoutLstm());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(stream));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: it holds no LSTM node (its operators: Relu).", e.Message);
    }

    [TestMethod]
    public void ModelOutputOfAModelWithoutHeadIsRefused()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }));

        Assert.AreEqual("Representation ModelOutput needs a model whose output has a fixed number of values per row, but this model's output 'output' [batch, sequence, 4] does not fix them (OutputSize is 0). Use another representation, or a model with a head (e.g. CreateRandom with outputSize > 0).", e.Message);
    }

    [TestMethod]
    public void NegativeBatchSizeIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => MLContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { BatchSize = -1 }));

        Assert.AreEqual("LstmFeaturizerOptions.BatchSize: expected 0 (default) or a positive number of rows, found -1. (Parameter 'BatchSize')", e.Message);
    }

    private static string TempFile(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A valid ONNX model, y = Relu(x), written byte by byte (fields from onnx.proto).</summary>
    private static byte[] OnnxWithoutLstm()
    {
        static byte[] Field(int number, byte[] payload) => [(byte)(number << 3 | 2), (byte)payload.Length, .. payload];
        static byte[] Text(int number, string text) => Field(number, System.Text.Encoding.UTF8.GetBytes(text));
        byte[] node = [.. Text(1, "x"), .. Text(2, "y"), .. Text(4, "Relu")];
        byte[] graph = [.. Field(1, node), .. Text(2, "g"), .. Field(11, Text(1, "x")), .. Field(12, Text(1, "y"))];
        return [0x08, 0x07, .. Field(7, graph), .. Field(8, [0x10, 0x0E])];
    }

    private sealed class TwoChannels
    {
        public float[] A { get; set; } = [];

        public float[] B { get; set; } = [];
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>Models exported by PyTorch give PyTorch's numbers through an ML.NET pipeline.</summary>
[TestClass]
public sealed class PyTorchParityTests
{
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> FixturesAndRepresentations =>
        from name in new[] { "seed_lstm", "multivariate_lstm" }
        from representation in LstmRepresentations.WithReferences
        select new object[] { name, representation };

    [TestMethod]
    [DynamicData(nameof(FixturesAndRepresentations))]
    public void EveryRepresentationMatchesPyTorch(string fixtureName, LstmRepresentation representation)
    {
        var fixture = PyTorchFixture.Load(fixtureName);
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, fixture.Input);

        var pipeline = mlContext.Transforms.LstmFeaturizeSequence("Features", "Sequence", fixture.OnnxPath, representation);
        using var transformer = pipeline.Fit(data);

        Assertions.AreClose(fixture.Expected(representation), TestData.Features(transformer.Transform(data)), Tolerance);
    }

    [TestMethod]
    public void OneColumnPerFeatureMatchesPyTorch()
    {
        var fixture = PyTorchFixture.Load("multivariate_lstm");
        var mlContext = new MLContext(seed: 1);
        int steps = fixture.Input[0].Length;
        var rows = fixture.Input.Select(s => new ThreeChannels
        {
            A = [.. s.Select(step => step[0])],
            B = [.. s.Select(step => step[1])],
            C = [.. s.Select(step => step[2])],
        });
        var schema = SchemaDefinition.Create(typeof(ThreeChannels));
        foreach (var column in schema)
        {
            column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps);
        }
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);

        var options = new LstmFeaturizerOptions { InputColumnNames = ["A", "B", "C"], Representation = LstmRepresentation.LastHidden };
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(fixture.OnnxPath), options).Fit(data);

        Assertions.AreClose(fixture.Expected(LstmRepresentation.LastHidden), TestData.Features(transformer.Transform(data)), Tolerance);
    }

    [TestMethod]
    [DataRow("seed_lstm")]
    [DataRow("multivariate_lstm")]
    [DataRow("variable_length_lstm")]
    public void ArchitectureIsReadFromTheGraph(string fixtureName)
    {
        var fixture = PyTorchFixture.Load(fixtureName);

        var model = LstmModel.FromOnnx(fixture.OnnxPath);

        Assert.AreEqual(fixture.InputSize, model.InputSize);
        Assert.AreEqual(fixture.HiddenSize, model.HiddenSize);
        Assert.AreEqual(fixture.NumLayers, model.NumLayers);
        Assert.AreEqual(fixture.OutputSize, model.OutputSize);
        Assert.IsFalse(model.Bidirectional);
        Assert.IsNull(model.SequenceLength);
    }

    [TestMethod]
    [DataRow("seed_lstm")]
    [DataRow("multivariate_lstm")]
    public void WeightsReadFromPyTorchGraphRunInTheReferenceLstm(string fixtureName)
    {
        var fixture = PyTorchFixture.Load(fixtureName);
        var reference = new ReferenceLstm(LstmModel.FromOnnx(fixture.OnnxPath).GetWeights());

        foreach (var representation in LstmRepresentations.WithReferences)
        {
            var actual = fixture.Input.Select(s => reference.Run(s).Get(representation).Select(v => (float)v).ToArray()).ToArray();
            Assertions.AreClose(fixture.Expected(representation), actual, Tolerance);
        }
    }

    private sealed class ThreeChannels
    {
        public float[] A { get; set; } = [];

        public float[] B { get; set; } = [];

        public float[] C { get; set; } = [];
    }
}

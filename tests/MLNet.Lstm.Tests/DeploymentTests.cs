using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>What a deployed model needs: model.zip in another process, threads, reuse of the ONNX graph.</summary>
[TestClass]
public sealed class DeploymentTests
{
    private const int Steps = 16;

    [TestMethod]
    public void ModelZipLoadedInAFreshProcessGivesBitIdenticalScores()
    {
        var mlContext = new MLContext(seed: 1);
        var train = TestData.Sequences(mlContext, TestData.SineOrSquare(200, Steps, seed: 1), Steps);
        var testRows = TestData.SineOrSquare(40, Steps, seed: 2);
        var test = TestData.Sequences(mlContext, testRows, Steps);
        using var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 16, numLayers: 2, seed: 1),
                new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden })
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression())
            .Fit(train);
        var expected = model.Transform(test).GetColumn<float>("Score").Select(s => BitConverter.SingleToInt32Bits(s).ToString("X8", CultureInfo.InvariantCulture)).ToArray();
        string folder = Directory.CreateTempSubdirectory("lstm-zip").FullName;
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            string sequences = Path.Combine(folder, "sequences.txt");
            mlContext.Model.Save(model, train.Schema, zip);
            File.WriteAllLines(sequences, testRows.Select(r => string.Join(",", r.Sequence.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

            var actual = RunScoringProcess(zip, sequences);

            CollectionAssert.AreEqual(expected, actual);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TruncatedModelZipIsRefusedOnLoad()
    {
        var mlContext = new MLContext(seed: 1);
        var bytes = SavedFeaturizer(mlContext);

        var e = Assert.ThrowsExactly<FormatException>(() => mlContext.Model.Load(new MemoryStream(bytes[..(bytes.Length / 2)]), out _));

        Assert.AreEqual("Failed to open a zip archive", e.Message);
        Assert.IsInstanceOfType<InvalidDataException>(e.InnerException);
    }

    [TestMethod]
    public void ModelZipWhoseOnnxGraphWasAlteredIsRefusedOnLoad()
    {
        var mlContext = new MLContext(seed: 1);
        using var zip = new MemoryStream();
        zip.Write(SavedFeaturizer(mlContext));
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.Entries.Single(e => e.FullName.EndsWith("LstmModel.onnx", StringComparison.Ordinal));
            byte[] content;
            using (var stream = entry.Open())
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                content = copy.ToArray();
            }
            content[content.Length / 2] ^= 0x40;
            entry.Delete();
            using var replaced = archive.CreateEntry(entry.FullName).Open();
            replaced.Write(content);
        }
        zip.Position = 0;

        // ML.NET calls loaders through reflection, so the loader's exception arrives wrapped.
        var e = Assert.ThrowsExactly<TargetInvocationException>(() => mlContext.Model.Load(zip, out _));

        Assert.IsInstanceOfType<InvalidDataException>(e.InnerException);
        Assert.AreEqual("The LSTM featurizer in this model.zip is damaged: its ONNX graph does not match the checksum saved with it.", e.InnerException.Message);
    }

    [TestMethod]
    public void EightThreadsReadingOneTransformedViewGetTheSingleThreadedNumbers()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(500, 12, 2, seed: 5));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(2, 16, numLayers: 2, seed: 5),
            new LstmFeaturizerOptions { BatchSize = 32 }).Fit(data);
        var output = transformer.Transform(data);
        var expected = TestData.Features(output);

        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = TestData.Features(output));

        foreach (var result in results)
        {
            Assert.HasCount(expected.Length, result);
            for (int row = 0; row < expected.Length; row++)
            {
                CollectionAssert.AreEqual(expected[row], result[row], $"row {row}");
            }
        }
    }

    [TestMethod]
    public void EightPredictionEnginesOnEightThreadsGetTheSingleThreadedNumbers()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(100, Steps, seed: 3);
        var data = TestData.Sequences(mlContext, rows, Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 3)).Fit(data);
        var expected = TestData.Features(transformer.Transform(data));
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);

        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            // A PredictionEngine disposes its transformer unless told it does not own it.
            using var engine = mlContext.Model.CreatePredictionEngine<SequenceRow, FeaturesRow>(transformer,
                new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = schema });
            results[i] = [.. rows.Select(r => engine.Predict(r).Features)];
        });

        foreach (var result in results)
        {
            for (int row = 0; row < expected.Length; row++)
            {
                CollectionAssert.AreEqual(expected[row], result[row], $"row {row}");
            }
        }
    }

    [TestMethod]
    public void OnnxGraphOfAFittedFeaturizerIsReusedInAnotherPipeline()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(20, 6, 3, seed: 6));
        using var first = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(3, 8, numLayers: 2, seed: 6),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.MeanHidden }).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"reused-{Guid.NewGuid():N}.onnx");
        try
        {
            first.Model.SaveOnnx(path);
            using var second = mlContext.Transforms.LstmFeaturizeSequence("Reused", "Sequence", path, LstmRepresentation.MeanHidden).Fit(data);

            var expected = TestData.Features(first.Transform(data));
            var actual = TestData.Features(second.Transform(data), "Reused");
            for (int row = 0; row < expected.Length; row++)
            {
                CollectionAssert.AreEqual(expected[row], actual[row]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] SavedFeaturizer(MLContext mlContext)
    {
        var data = TestData.Sequences(mlContext, TestData.Random(4, 5, 1, seed: 1));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8, seed: 1)).Fit(data);
        using var zip = new MemoryStream();
        mlContext.Model.Save(transformer, data.Schema, zip);
        return zip.ToArray();
    }

    private static string[] RunScoringProcess(string zip, string sequences)
    {
        string program = typeof(DeploymentTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ScoringProcess").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(program);
        start.ArgumentList.Add(zip);
        start.ArgumentList.Add(sequences);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "the scoring process ended");
        Assert.AreEqual(0, process.ExitCode, error.Result);
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }
}

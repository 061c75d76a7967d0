using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Tests;

/// <summary>Reading UCR/UEA .ts files and cutting series into windows.</summary>
[TestClass]
public sealed class DataLoadingTests
{
    private static string Ucr(string set, string split) =>
        Path.Combine(AppContext.BaseDirectory, "Data", "ucr", set, $"{set}_{split}.ts");

    [TestMethod]
    public void GzippedTsFileReadsAsTheFileItCompresses()
    {
        string folder = Directory.CreateTempSubdirectory("lstm-gz").FullName;
        string gz = Path.Combine(folder, "GunPoint_TRAIN.ts.gz");
        using (var output = File.Create(gz))
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal))
        {
            gzip.Write(File.ReadAllBytes(Ucr("GunPoint", "TRAIN")));
        }
        var plain = TimeSeriesFile.Read(Ucr("GunPoint", "TRAIN"));

        var file = TimeSeriesFile.Read(gz);
        var data = new MLContext(seed: 1).Data.LoadFromTsFile(gz);

        Assert.HasCount(50, file.Sequences);
        CollectionAssert.AreEqual(plain.Labels.ToArray(), file.Labels.ToArray());
        for (int row = 0; row < plain.Sequences.Count; row++)
        {
            CollectionAssert.AreEqual(plain.Sequences[row], file.Sequences[row], $"row {row}");
        }
        Assert.AreEqual(-0.6478854f, data.GetColumn<float[]>("Sequence").First()[0]);
    }

    [TestMethod]
    public void FileNamedGzThatIsNotGzipIsRefusedWithItsName()
    {
        string gz = Path.Combine(Directory.CreateTempSubdirectory("lstm-gz").FullName, "plain.ts.gz");
        File.Copy(Ucr("GunPoint", "TRAIN"), gz);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TimeSeriesFile.Read(gz));

        Assert.StartsWith($".ts file '{gz}': expected gzip data (the name ends in .gz), found bytes that do not decompress (", e.Message);
    }

    [TestMethod]
    public void UnivariateEqualLengthFileGivesKnownSizeSequencesAndLabels()
    {
        var file = TimeSeriesFile.Read(Ucr("GunPoint", "TRAIN"));
        var mlContext = new MLContext(seed: 1);

        var data = mlContext.Data.LoadFromTsFile(Ucr("GunPoint", "TRAIN"));

        Assert.AreEqual("GunPoint", file.ProblemName);
        Assert.AreEqual(1, file.Channels);
        Assert.HasCount(50, file.Sequences);
        CollectionAssert.AreEqual(new[] { "1", "2" }, file.ClassLabels.ToArray());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 150), data.Schema["Sequence"].Type);
        Assert.AreEqual(-0.6478854f, data.GetColumn<float[]>("Sequence").First()[0]);
        Assert.AreEqual(file.Labels[0], data.GetColumn<string>("Label").First());
    }

    [TestMethod]
    public void MultivariateFileInterleavesChannelsTimeMajor()
    {
        var file = TimeSeriesFile.Read(Ucr("BasicMotions", "TRAIN"));
        string firstLine = File.ReadLines(Ucr("BasicMotions", "TRAIN")).First(l => l.Length > 0 && l[0] is not '#' and not '@');
        var channels = firstLine.Split(':')[..6].Select(c => c.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();

        Assert.AreEqual(6, file.Channels);
        Assert.HasCount(40, file.Sequences);
        Assert.HasCount(600, file.Sequences[0]);
        for (int t = 0; t < 3; t++)
        {
            for (int c = 0; c < 6; c++)
            {
                Assert.AreEqual(channels[c][t], file.Sequences[0][t * 6 + c]);
            }
        }
        CollectionAssert.AreEquivalent(new[] { "Standing", "Running", "Walking", "Badminton" }, file.ClassLabels.ToArray());
    }

    [TestMethod]
    public void VariableLengthFileGivesAVariableSizeColumn()
    {
        var mlContext = new MLContext(seed: 1);
        var file = TimeSeriesFile.Read(Ucr("JapaneseVowels", "TRAIN"));

        var data = file.ToDataView(mlContext.Data);

        Assert.IsFalse(file.EqualLength);
        Assert.AreEqual(12, file.Channels);
        Assert.HasCount(270, file.Sequences);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), data.Schema["Sequence"].Type);
        var steps = file.Sequences.Select(s => s.Length / 12).ToArray();
        Assert.AreEqual(7, steps.Min());
        Assert.AreEqual(26, steps.Max());
        Assert.IsTrue(file.Sequences.All(s => s.Length % 12 == 0));
    }

    [TestMethod]
    public void CommentsByteOrderMarkCaseAndMissingValuesAreHandled()
    {
        string text = "\uFEFF# a comment\n@ProblemName tiny\n@UNIVARIATE false\n@Dimensions 2\n@classlabel TRUE a b\n@DATA\n1,2,?:3,4,5:a\n\n# another\n6,7,8:9,10,11:b\n";

        var file = TimeSeriesFile.Read(new StringReader(text), "inline");

        Assert.AreEqual("tiny", file.ProblemName);
        Assert.AreEqual(2, file.Channels);
        CollectionAssert.AreEqual(new[] { "a", "b" }, file.Labels.ToArray());
        Assert.AreEqual(1f, file.Sequences[0][0]);
        Assert.AreEqual(3f, file.Sequences[0][1]);
        Assert.IsTrue(float.IsNaN(file.Sequences[0][4]));
        Assert.AreEqual(5f, file.Sequences[0][5]);
    }

    [TestMethod]
    public void MissingTagsAreInferredFromTheData()
    {
        var file = TimeSeriesFile.Read(new StringReader("1,2,3:x\n4,5,6:y\n"), "inline");

        Assert.AreEqual(1, file.Channels);
        Assert.IsTrue(file.EqualLength);
        CollectionAssert.AreEqual(new[] { "x", "y" }, file.Labels.ToArray());
        CollectionAssert.AreEqual(new[] { 4f, 5f, 6f }, file.Sequences[1]);
    }

    [TestMethod]
    public void ValueThatIsNotANumberIsRefusedWithItsLineNumber()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            TimeSeriesFile.Read(new StringReader("@dimensions 1\n@data\n1,2,3:a\n1,x,3:a\n"), "bad.ts"));

        Assert.AreEqual(".ts file 'bad.ts', line 4: channel 1, value 2: expected a number or '?', found 'x'.", e.Message);
    }

    [TestMethod]
    public void ChannelsOfDifferentLengthsAreRefusedWithTheLineNumber()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            TimeSeriesFile.Read(new StringReader("@dimensions 2\n@classLabel true a\n@data\n1,2,3:4,5:a\n"), "bad.ts"));

        Assert.AreEqual(".ts file 'bad.ts', line 4: channel 2 has 2 values, channel 1 has 3; expected every channel of a sequence to have the same length.", e.Message);
    }

    [TestMethod]
    public void UnequalLengthsUnderEqualLengthTrueAreRefused()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            TimeSeriesFile.Read(new StringReader("@equalLength true\n@data\n1,2,3:a\n1,2:a\n"), "bad.ts"));

        Assert.AreEqual(".ts file 'bad.ts': @equalLength is true, but the sequences have different lengths.", e.Message);
    }

    [TestMethod]
    public void SlidingWindowsCutASeriesByWindowSizeAndStride()
    {
        var mlContext = new MLContext(seed: 1);

        var windows = mlContext.Data.CreateSlidingWindows(Enumerable.Range(0, 10).Select(i => (float)i), windowSize: 4, stride: 3);

        CollectionAssert.AreEqual(new long[] { 0, 3, 6 }, windows.GetColumn<long>("Start").ToArray());
        var sequences = windows.GetColumn<float[]>("Sequence").ToArray();
        CollectionAssert.AreEqual(new[] { 6f, 7f, 8f, 9f }, sequences[2]);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4), windows.Schema["Sequence"].Type);
    }

    [TestMethod]
    public void SlidingWindowsReadAColumnOfAnIDataView()
    {
        var mlContext = new MLContext(seed: 1);
        var csv = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 6).Select(i => new Reading { Value = i * 10.0 }));

        var windows = mlContext.Data.CreateSlidingWindows(csv, "Value", windowSize: 3, stride: 2);

        var sequences = windows.GetColumn<float[]>("Sequence").ToArray();
        Assert.HasCount(2, sequences);
        CollectionAssert.AreEqual(new[] { 20f, 30f, 40f }, sequences[1]);
    }

    [TestMethod]
    public void MultivariateSlidingWindowsAreTimeMajorAndAnnotatedWithTheirFeatureCount()
    {
        var mlContext = new MLContext(seed: 1);
        var telemetry = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 6).Select(i => new Telemetry { Temperature = i, Pressure = 100 + i, Vibration = -i }));

        var windows = mlContext.Data.CreateSlidingWindows(telemetry, ["Temperature", "Pressure", "Vibration"], windowSize: 2, stride: 3);

        var sequences = windows.GetColumn<float[]>("Sequence").ToArray();
        Assert.HasCount(2, sequences);
        CollectionAssert.AreEqual(new[] { 3f, 103f, -3f, 4f, 104f, -4f }, sequences[1]);
        CollectionAssert.AreEqual(new long[] { 0, 3 }, windows.GetColumn<long>("Start").ToArray());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 6), windows.Schema["Sequence"].Type);
        int features = 0;
        windows.Schema["Sequence"].Annotations.GetValue(LstmAnnotations.InputSize, ref features);
        Assert.AreEqual(3, features);
    }

    [TestMethod]
    public void MultivariateWindowsTrainAModelOfTheirFeatureCountWithoutAnInputSize()
    {
        var mlContext = new MLContext(seed: 1);
        var telemetry = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 60).Select(i => new Telemetry { Temperature = MathF.Sin(i), Pressure = MathF.Cos(i), Vibration = i % 3 }));
        var windows = mlContext.Data.CreateSlidingWindows(telemetry, ["Temperature", "Pressure", "Vibration"], windowSize: 8, stride: 2);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 4, Epochs = 1 }).Fit(windows);
        var wrong = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, seed: 1)).Fit(windows));

        Assert.AreEqual(3, transformer.Model.InputSize);
        Assert.AreEqual(27, windows.GetColumn<long>("Start").Count());
        Assert.AreEqual("Input column 'Sequence': its LstmInputSize annotation says 3 features per step, but the model's InputSize is 2. Use a model whose InputSize is 3. (Parameter 'inputSchema')", wrong.Message);
    }

    [TestMethod]
    public void MultivariateWindowsRefuseAMissingColumnAnEmptyListAndAWrongType()
    {
        var mlContext = new MLContext(seed: 1);
        var telemetry = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 6).Select(i => new Telemetry { Temperature = i, Label = "ok" }));

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(telemetry, ["Temperature", "Humidity"], windowSize: 2));
        var empty = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Data.CreateSlidingWindows(telemetry, [], windowSize: 2));
        var text = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(telemetry, ["Temperature", "Label"], windowSize: 2));
        var huge = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.CreateSlidingWindows(telemetry, ["Temperature", "Pressure", "Vibration"], windowSize: 1_000_000_000));

        Assert.AreEqual("Column 'Humidity' was not found: expected the series' values, found no column of that name. (Parameter 'valueColumnNames')", missing.Message);
        Assert.AreEqual("Sliding windows: expected the names of one or more value columns, found none. (Parameter 'valueColumnNames')", empty.Message);
        Assert.AreEqual("Column 'Label': expected a Single or Double value per row, found String. (Parameter 'valueColumnNames')", text.Message);
        Assert.AreEqual("Sliding windows: 1,000,000,000 steps of 3 values are 3,000,000,000 values a window; expected at most 2,147,483,591, the largest vector one row holds. (Parameter 'windowSize')", huge.Message);
    }

    private sealed class Reading
    {
        public double Value { get; set; }
    }

    private sealed class Telemetry
    {
        public float Temperature { get; set; }

        public double Pressure { get; set; }

        public float Vibration { get; set; }

        public string Label { get; set; } = "";
    }
}

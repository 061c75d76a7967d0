// The consumer program of .ci/package-check: what a user of the packed packages does first, on
// whichever ML.NET the consumer project references.
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Lstm;
using MLNet.Lstm.Evaluation;

var mlContext = new MLContext(seed: 1);
string mlnet = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
Console.WriteLine($"package check: ML.NET {mlnet}");

var rows = Enumerable.Range(0, 8).Select(i => new Row { Sequence = [.. Enumerable.Range(0, 10).Select(t => MathF.Sin(0.3f * t + i))] });
var data = mlContext.Data.LoadFromEnumerable(rows);
using var featurizer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, numLayers: 2, seed: 1)).Fit(data);
var features = featurizer.Transform(data).GetColumn<float[]>("Features").ToArray();
Console.WriteLine($"package check: {features.Length} rows x {features[0].Length} features, first {features[0][0]:F6}");

// Train, save, load, predict, export.
var labelled = Enumerable.Range(0, 40).Select(i => new LabelledRow
{
    Sequence = [.. Enumerable.Range(0, 10).Select(t => i % 2 == 0 ? MathF.Sin(0.6f * t + i) : MathF.Sign(MathF.Sin(0.6f * t + i)))],
    Label = i % 2 == 0 ? "sine" : "square",
}).ToList();
var train = mlContext.Data.LoadFromEnumerable(labelled);
var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 3 }))
    .Fit(train);
var pipeline = model.Transform(train).GetColumn<float[]>("Features").ToArray();
mlContext.Model.Save(model, train.Schema, "model.zip");
var loaded = mlContext.Model.Load("model.zip", out _);
using var engine = mlContext.Model.CreatePredictionEngine<LabelledRow, FeaturesRow>(loaded);
double zipDifference = labelled.Select((row, i) => engine.Predict(row).Features.Zip(pipeline[i], (a, b) => Math.Abs(a - b)).Max()).Max();

using var onnx = new MemoryStream();
mlContext.Model.ConvertToOnnx(model, train, onnx);
using var session = new InferenceSession(onnx.ToArray());
var inputs = new List<NamedOnnxValue>();
foreach (var (name, meta) in session.InputMetadata)
{
    int[] dims = name == "Sequence" ? [labelled.Count, 10] : [labelled.Count, 1];
    inputs.Add(name == "Sequence"
        ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(labelled.SelectMany(r => r.Sequence).ToArray(), dims))
        : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(labelled.Select(r => r.Label).ToArray(), dims)));
}
using var results = session.Run(inputs, ["Features.output"]);
var exported = results[0].AsTensor<float>().ToArray();
int width = pipeline[0].Length;
double onnxDifference = pipeline.SelectMany((row, i) => row.Select((v, j) => Math.Abs(v - exported[i * width + j]))).Max();
if (zipDifference > 1e-6 || onnxDifference > 1e-5)
{
    throw new InvalidOperationException($"model.zip differs by {zipDifference}, the ONNX export by {onnxDifference}");
}
Console.WriteLine($"package check: model.zip and ONNX export agree with the pipeline on {labelled.Count} rows ({width} features, largest differences {zipDifference:G2} and {onnxDifference:G2})");

File.WriteAllText("check.ts", "@classLabel true a b\n@data\n1,2,3:a\n4,5,6:b\n");
var ts = mlContext.Data.LoadFromTsFile("check.ts");
Console.WriteLine($"package check: .ts {ts.GetColumn<float[]>("Sequence").Count()} rows of {((VectorDataViewType)ts.Schema["Sequence"].Type).Size} values");

var hours = Enumerable.Range(0, 20).Select(h => new DateTime(2026, 1, 1).AddHours(h)).ToArray();
var series = new NabSeries("check.csv", hours, new double[20], [new NabWindow(hours[10], hours[12])]);
var nab = NabScorer.ScoreSeries(series, [.. Enumerable.Range(0, 20).Select(r => r == 10 ? 1.0 : 0.0)], 0.5, NabProfile.Standard);
Console.WriteLine($"package check: NAB {nab.TruePositives} true positive, {nab.FalsePositives} false positives");

internal sealed class Row
{
    [VectorType(10)]
    public float[] Sequence { get; set; } = [];
}

internal sealed class LabelledRow
{
    [VectorType(10)]
    public float[] Sequence { get; set; } = [];

    public string Label { get; set; } = "";
}

internal sealed class FeaturesRow
{
    public float[] Features { get; set; } = [];
}

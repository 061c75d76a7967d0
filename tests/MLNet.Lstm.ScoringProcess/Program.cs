// Usage: MLNet.Lstm.ScoringProcess <model.zip> <sequences.txt>
// sequences.txt: one row per line, comma-separated floats. Prints each row's Score as the
// hexadecimal bits of the float, so the caller can compare bit for bit.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.Load(args[0], out var inputSchema);
var rows = File.ReadLines(args[1])
    .Select(line => new Row { Sequence = [.. line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture))] })
    .ToList();
var schema = SchemaDefinition.Create(typeof(Row));
schema[nameof(Row.Sequence)].ColumnType = inputSchema[nameof(Row.Sequence)].Type;
var scored = model.Transform(mlContext.Data.LoadFromEnumerable(rows, schema));
foreach (float score in scored.GetColumn<float>("Score"))
{
    Console.WriteLine(BitConverter.SingleToInt32Bits(score).ToString("X8", CultureInfo.InvariantCulture));
}

internal sealed class Row
{
    public float[] Sequence { get; set; } = [];
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.TsFiles;

namespace MLNet.Lstm;

/// <summary>
/// A time-series classification file in the UCR/UEA archive's <c>.ts</c> format, read into
/// memory: one sequence per line, channels interleaved time-major (t0c0, t0c1, …, t1c0, …)
/// as the featurizer reads them, with its class label.
/// </summary>
/// <remarks>
/// Reads header tags case-insensitively (<c>@problemName</c>, <c>@univariate</c>,
/// <c>@dimensions</c>, <c>@equalLength</c>, <c>@seriesLength</c>, <c>@classLabel</c>,
/// <c>@data</c>; tags that are missing are inferred from the data), skips <c>#</c> comments and
/// a byte-order mark, reads <c>?</c> as NaN, and rejects a malformed line with its line number.
/// A file is UTF-8 (invalid bytes are refused, naming the line), and without a <c>@classLabel</c>
/// tag its first data line decides whether every line carries a label.
/// </remarks>
/// <example>
/// <code>
/// var train = TimeSeriesFile.Read("GunPoint_TRAIN.ts");
/// IDataView data = train.ToDataView(mlContext.Data);   // columns Sequence, Label
/// var featurizer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(train.Channels, 32));
/// </code>
/// </example>
public sealed class TimeSeriesFile
{
    internal TimeSeriesFile(string? problemName, int channels, bool equalLength, IReadOnlyList<float[]> sequences, IReadOnlyList<string> labels, IReadOnlyList<string> classLabels)
    {
        ProblemName = problemName;
        Channels = channels;
        EqualLength = equalLength;
        Sequences = sequences;
        Labels = labels;
        ClassLabels = classLabels;
    }

    /// <summary>The <c>@problemName</c> tag, if any.</summary>
    public string? ProblemName { get; }

    /// <summary>Values per time step (F): 1 for univariate data, the <c>@dimensions</c> otherwise.</summary>
    public int Channels { get; }

    /// <summary>Whether every sequence has the same length (<c>@equalLength</c>, or seen in the data when the tag is missing).</summary>
    public bool EqualLength { get; }

    /// <summary>The sequences, each T × <see cref="Channels"/> values, time-major.</summary>
    public IReadOnlyList<float[]> Sequences { get; }

    /// <summary>Each sequence's class label (empty when the file has none).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The labels the <c>@classLabel</c> tag lists, or those seen in the data.</summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Reads a <c>.ts</c> file; one whose name ends in <c>.gz</c> is decompressed first.</summary>
    /// <param name="path">The file: <c>.ts</c> text, or gzipped <c>.ts.gz</c>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed, is not UTF-8, or has a label where the others have none (or the reverse); the message names the line. Or a <c>.gz</c> file is not gzip data, or decompresses past the largest array.</exception>
    /// <example>
    /// <code>
    /// var file = TimeSeriesFile.Read("JapaneseVowels_TRAIN.ts");
    /// Console.WriteLine($"{file.Sequences.Count} sequences of {file.Channels} channels");
    /// </code>
    /// </example>
    public static TimeSeriesFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(new StringReader(StrictUtf8.Decode(TsFileBytes.Read(path), path)), path);
    }

    /// <summary>Reads <c>.ts</c> text; <paramref name="source"/> names it in error messages.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">A name for the text, e.g. its file name.</param>
    /// <example>
    /// <code>
    /// var file = TimeSeriesFile.Read(new StringReader("@data\n1,2,3:a\n"), "inline");
    /// </code>
    /// </example>
    public static TimeSeriesFile Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new TsFileParser(source).Parse(reader);
    }

    /// <summary>
    /// The sequences as an IDataView: <c>Sequence</c> (a vector of Single; known-size when
    /// <see cref="EqualLength"/>, variable-size otherwise), annotated with <see cref="Channels"/>
    /// as <see cref="LstmAnnotations.InputSize"/> so that training needs no InputSize, and
    /// <c>Label</c> (text).
    /// </summary>
    /// <param name="data">The data catalog, <c>mlContext.Data</c>.</param>
    /// <example>
    /// <code>
    /// IDataView data = TimeSeriesFile.Read("BasicMotions_TRAIN.ts").ToDataView(mlContext.Data);
    /// </code>
    /// </example>
    public IDataView ToDataView(DataOperationsCatalog data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<TimeSeriesRow>(Sequences.Count);
        for (int i = 0; i < Sequences.Count; i++)
        {
            rows.Add(new TimeSeriesRow { Sequence = Sequences[i], Label = Labels.Count > 0 ? Labels[i] : "" });
        }
        var schema = SchemaDefinition.Create(typeof(TimeSeriesRow));
        schema[nameof(TimeSeriesRow.Sequence)].ColumnType = EqualLength
            ? new VectorDataViewType(NumberDataViewType.Single, Sequences[0].Length)
            : new VectorDataViewType(NumberDataViewType.Single);
        schema[nameof(TimeSeriesRow.Sequence)].AddAnnotation(LstmAnnotations.InputSize, Channels, NumberDataViewType.Int32);
        return data.LoadFromEnumerable(rows, schema);
    }

    private sealed class TimeSeriesRow
    {
        public float[] Sequence { get; set; } = [];

        public string Label { get; set; } = "";
    }
}

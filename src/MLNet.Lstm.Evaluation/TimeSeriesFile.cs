using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

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
    private TimeSeriesFile(string? problemName, int channels, bool equalLength, IReadOnlyList<float[]> sequences, IReadOnlyList<string> labels, IReadOnlyList<string> classLabels)
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

    /// <summary>Reads a <c>.ts</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed, is not UTF-8, or has a label where the others have none (or the reverse); the message names the line.</exception>
    /// <example>
    /// <code>
    /// var file = TimeSeriesFile.Read("JapaneseVowels_TRAIN.ts");
    /// Console.WriteLine($"{file.Sequences.Count} sequences of {file.Channels} channels");
    /// </code>
    /// </example>
    public static TimeSeriesFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw EvaluationThrow.TsFileMissing(path);
        }
        return Read(new StringReader(DecodeUtf8(File.ReadAllBytes(path), path)), path);
    }

    /// <summary>
    /// The file's text, decoded line by line with a decoder that refuses invalid UTF-8: the
    /// usual replacement character would make distinct labels (café, cafè) one class.
    /// </summary>
    private static string DecodeUtf8(byte[] bytes, string path)
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var text = new StringBuilder(bytes.Length);
        int start = 0;
        for (int line = 1; start <= bytes.Length; line++)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            int length = (end < 0 ? bytes.Length : end + 1) - start;
            try
            {
                text.Append(strict.GetString(bytes, start, length));
            }
            catch (DecoderFallbackException)
            {
                throw EvaluationThrow.TsNotUtf8(path, line);
            }
            if (end < 0)
            {
                break;
            }
            start = end + 1;
        }
        return text.ToString();
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
        string? problemName = null;
        int? dimensions = null;
        bool? equalLength = null, hasLabels = null;
        List<string>? declaredLabels = null;
        var sequences = new List<float[]>();
        var labels = new List<string>();
        int lineNumber = 0, firstDataLine = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            string text = line.Trim().TrimStart('\uFEFF');
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            if (text[0] == '@')
            {
                var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                string tag = parts[0].ToLowerInvariant();
                string? value = parts.Length > 1 ? parts[1] : null;
                switch (tag)
                {
                    case "@problemname": problemName = value; break;
                    case "@univariate": if (Flag(value, tag) is true) { dimensions = 1; } break;
                    case "@dimensions": dimensions = Number(value, tag); break;
                    case "@equallength": equalLength = Flag(value, tag); break;
                    case "@classlabel":
                        hasLabels = Flag(value, tag);
                        declaredLabels = hasLabels == true ? [.. parts.Skip(2)] : null;
                        break;
                    case "@timestamps":
                        if (Flag(value, tag) is true)
                        {
                            throw Malformed("@timeStamps true is not supported; expected series of plain values");
                        }
                        break;
                }
                continue;
            }
            ReadDataLine(text);
        }
        if (sequences.Count == 0)
        {
            throw EvaluationThrow.TsInvalid(source, "expected at least one data line, found none");
        }
        int channels = dimensions ?? 1;
        bool allEqual = sequences.All(s => s.Length == sequences[0].Length);
        if (equalLength == true && !allEqual)
        {
            throw EvaluationThrow.TsInvalid(source, "@equalLength is true, but the sequences have different lengths");
        }
        var classLabels = declaredLabels ?? [.. labels.Distinct().Order(StringComparer.Ordinal)];
        return new TimeSeriesFile(problemName, channels, equalLength ?? allEqual, sequences, labels, classLabels);

        void ReadDataLine(string text)
        {
            var fields = text.Split(':');
            bool labelled = hasLabels ?? (fields.Length > (dimensions ?? 1) && !fields[^1].Contains(','));
            // Without @classLabel, the first data line decides: a file whose lines disagree would pair labels with the wrong sequences.
            if (firstDataLine == 0)
            {
                firstDataLine = lineNumber;
            }
            else if (hasLabels is null && labelled != (labels.Count > 0))
            {
                throw EvaluationThrow.TsLabelsMixed(source, lineNumber, firstDataLine, labelled);
            }
            if (hasLabels is true && dimensions is int d && fields.Length == d)
            {
                throw EvaluationThrow.TsLabelMissing(source, lineNumber);
            }
            int channelCount = fields.Length - (labelled ? 1 : 0);
            if (channelCount < 1)
            {
                throw Malformed("expected at least one channel of values");
            }
            dimensions ??= channelCount;
            if (channelCount != dimensions)
            {
                throw Malformed($"expected {dimensions} channels, found {channelCount}");
            }
            float[][] channels = new float[channelCount][];
            for (int c = 0; c < channelCount; c++)
            {
                var values = fields[c].Split(',');
                channels[c] = new float[values.Length];
                for (int t = 0; t < values.Length; t++)
                {
                    string value = values[t].Trim();
                    if (value == "?")
                    {
                        channels[c][t] = float.NaN;
                    }
                    else if (!float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out channels[c][t]))
                    {
                        throw Malformed($"channel {c + 1}, value {t + 1}: expected a number or '?', found '{value}'");
                    }
                }
                if (channels[c].Length != channels[0].Length)
                {
                    throw Malformed($"channel {c + 1} has {channels[c].Length} values, channel 1 has {channels[0].Length}; expected every channel of a sequence to have the same length");
                }
            }
            int steps = channels[0].Length;
            var sequence = new float[steps * channelCount];
            for (int t = 0; t < steps; t++)
            {
                for (int c = 0; c < channelCount; c++)
                {
                    sequence[t * channelCount + c] = channels[c][t];
                }
            }
            if (labelled)
            {
                string label = fields[^1].Trim();
                if (declaredLabels is not null && !declaredLabels.Contains(label))
                {
                    throw Malformed($"expected one of the @classLabel labels ({string.Join(" ", declaredLabels)}), found '{label}'");
                }
                labels.Add(label);
            }
            sequences.Add(sequence);
        }

        bool? Flag(string? value, string tag) => value?.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Malformed($"{tag}: expected true or false, found '{value}'"),
        };

        int Number(string? value, string tag) =>
            int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n
                : throw Malformed($"{tag}: expected a positive whole number, found '{value}'");

        InvalidDataException Malformed(string why) => EvaluationThrow.TsLineInvalid(source, lineNumber, why);
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

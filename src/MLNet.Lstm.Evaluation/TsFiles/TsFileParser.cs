namespace MLNet.Lstm.TsFiles;

/// <summary>
/// Reads <c>.ts</c> text line by line: header tags (<see cref="ReadTag"/>) and data lines
/// (<see cref="ReadDataLine"/>) share what is known so far, since a tag may be missing and the
/// data then decide (channels from the first data line, labels from whether it carries one).
/// </summary>
internal sealed partial class TsFileParser(string source)
{
    private readonly List<float[]> _sequences = [];
    private readonly List<string> _labels = [];
    private string? _problemName;
    private int? _dimensions;
    private bool? _equalLength;
    private bool? _hasLabels;
    private List<string>? _declaredLabels;
    private int _lineNumber;
    private int _firstDataLine;

    public TimeSeriesFile Parse(TextReader reader)
    {
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            _lineNumber++;
            string text = line.Trim().TrimStart('\uFEFF');
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            if (text[0] == '@')
            {
                ReadTag(text);
                continue;
            }
            ReadDataLine(text);
        }
        return Finish();
    }

    private TimeSeriesFile Finish()
    {
        if (_sequences.Count == 0)
        {
            throw EvaluationThrow.TsInvalid(source, "expected at least one data line, found none");
        }
        int channels = _dimensions ?? 1;
        bool allEqual = _sequences.All(s => s.Length == _sequences[0].Length);
        if (_equalLength == true && !allEqual)
        {
            throw EvaluationThrow.TsInvalid(source, "@equalLength is true, but the sequences have different lengths");
        }
        var classLabels = _declaredLabels ?? [.. _labels.Distinct().Order(StringComparer.Ordinal)];
        return new TimeSeriesFile(_problemName, channels, _equalLength ?? allEqual, _sequences, _labels, classLabels);
    }

    private InvalidDataException Malformed(string why) => EvaluationThrow.TsLineInvalid(source, _lineNumber, why);
}

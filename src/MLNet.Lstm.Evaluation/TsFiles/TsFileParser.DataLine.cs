using System.Globalization;

namespace MLNet.Lstm.TsFiles;

internal sealed partial class TsFileParser
{
    /// <summary>Reads a data line, <c>channel:channel:…[:label]</c> with comma-separated values per channel.</summary>
    private void ReadDataLine(string text)
    {
        var fields = text.Split(':');
        bool labelled = IsLabelled(fields);
        int channelCount = fields.Length - (labelled ? 1 : 0);
        if (channelCount < 1)
        {
            throw Malformed("expected at least one channel of values");
        }
        _dimensions ??= channelCount;
        if (channelCount != _dimensions)
        {
            throw Malformed($"expected {_dimensions} channels, found {channelCount}");
        }
        var sequence = Interleave(ReadChannels(fields, channelCount));
        if (labelled)
        {
            string label = fields[^1].Trim();
            if (_declaredLabels is not null && !_declaredLabels.Contains(label))
            {
                throw Malformed($"expected one of the @classLabel labels ({string.Join(" ", _declaredLabels)}), found '{label}'");
            }
            _labels.Add(label);
        }
        _sequences.Add(sequence);
    }

    /// <summary>Whether the line's last field is a label: as @classLabel says, else as the first data line did.</summary>
    private bool IsLabelled(string[] fields)
    {
        bool labelled = _hasLabels ?? (fields.Length > (_dimensions ?? 1) && !fields[^1].Contains(','));
        // Without @classLabel, the first data line decides: a file whose lines disagree would pair labels with the wrong sequences.
        if (_firstDataLine == 0)
        {
            _firstDataLine = _lineNumber;
        }
        else if (_hasLabels is null && labelled != (_labels.Count > 0))
        {
            throw EvaluationThrow.TsLabelsMixed(source, _lineNumber, _firstDataLine, labelled);
        }
        if (_hasLabels is true && _dimensions is int d && fields.Length == d)
        {
            throw EvaluationThrow.TsLabelMissing(source, _lineNumber);
        }
        return labelled;
    }

    private float[][] ReadChannels(string[] fields, int channelCount)
    {
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
        return channels;
    }

    /// <summary>The channels time-major (t0c0, t0c1, …, t1c0, …), as the featurizer reads them.</summary>
    private static float[] Interleave(float[][] channels)
    {
        int channelCount = channels.Length, steps = channels[0].Length;
        var sequence = new float[steps * channelCount];
        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < channelCount; c++)
            {
                sequence[t * channelCount + c] = channels[c][t];
            }
        }
        return sequence;
    }
}

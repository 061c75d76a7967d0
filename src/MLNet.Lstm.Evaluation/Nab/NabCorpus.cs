using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MLNet.Lstm.Evaluation;

/// <summary>Reads a corpus laid out as NAB's repository is: <c>data/&lt;category&gt;/&lt;series&gt;.csv</c> and <c>labels/combined_windows.json</c>.</summary>
public static class NabCorpus
{
    /// <summary>
    /// Reads every series under <c>data/</c> (CSV files with a header line, then <c>timestamp,value</c>
    /// rows in the invariant culture) with its windows from <c>labels/combined_windows.json</c>
    /// (for each series' path under <c>data/</c>, a list of <c>[start, end]</c> timestamps).
    /// </summary>
    /// <param name="nabRoot">The folder holding <c>data/</c> and <c>labels/</c>, e.g. a clone of NAB.</param>
    /// <returns>The series, ordered by name (their path under <c>data/</c>, e.g. "realKnownCause/nyc_taxi.csv").</returns>
    /// <exception cref="DirectoryNotFoundException"><c>data/</c> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>labels/combined_windows.json</c> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A row is not a timestamp and a number, the labels are not NAB's JSON, a series has no labels or
    /// labels name a missing series, or a window does not fit its series (a timestamp that matches no row, windows out of order).
    /// </exception>
    /// <example>
    /// <code>
    /// IReadOnlyList&lt;NabSeries&gt; corpus = NabCorpus.Load("path/to/NAB");
    /// NabSeries taxi = corpus.Single(series => series.Name == "realKnownCause/nyc_taxi.csv");
    /// Console.WriteLine($"{taxi.Length} rows, {taxi.Windows.Count} windows, {taxi.ProbationaryLength} probationary");
    /// </code>
    /// </example>
    public static IReadOnlyList<NabSeries> Load(string nabRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(nabRoot);
        string dataFolder = Path.Combine(nabRoot, "data");
        string labelsPath = Path.Combine(nabRoot, "labels", "combined_windows.json");
        if (!Directory.Exists(dataFolder))
            throw EvaluationThrow.NabDataMissing(dataFolder);
        if (!File.Exists(labelsPath))
            throw EvaluationThrow.NabLabelsMissing(labelsPath);

        var windows = ReadWindows(labelsPath);
        var names = Directory.EnumerateFiles(dataFolder, "*.csv", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(dataFolder, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        foreach (string name in windows.Keys)
        {
            if (Array.BinarySearch(names, name, StringComparer.Ordinal) < 0)
                throw EvaluationThrow.NabLabelsInvalid(labelsPath, $"series '{name}' is labelled, but data/{name} does not exist");
        }

        var corpus = new NabSeries[names.Length];
        for (int s = 0; s < names.Length; s++)
        {
            if (!windows.TryGetValue(names[s], out var seriesWindows))
                throw EvaluationThrow.NabLabelsInvalid(labelsPath, $"series '{names[s]}' has no entry; expected one for every CSV file under data/ (an empty list for a series without anomalies)");
            corpus[s] = ReadSeries(Path.Combine(dataFolder, names[s]), names[s], seriesWindows, labelsPath);
        }

        return corpus;
    }

    private static NabSeries ReadSeries(string path, string name, NabWindow[] windows, string labelsPath)
    {
        var timestamps = new List<DateTime>();
        var values = new List<double>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            if (++line == 1)
                continue;
            // NAB reads its files with pandas, which skips blank lines, such as a trailing one.
            if (string.IsNullOrWhiteSpace(text))
                continue;
            var fields = text.AsSpan();
            int comma = fields.IndexOf(',');
            if (comma < 0)
                throw EvaluationThrow.NabLineInvalid(path, line, $"expected 'timestamp,value', found '{text}'");
            if (!DateTime.TryParse(fields[..comma], CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
                throw EvaluationThrow.NabLineInvalid(path, line, $"expected a timestamp such as 2014-07-01 00:00:00, found '{fields[..comma]}'");
            if (!double.TryParse(fields[(comma + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw EvaluationThrow.NabLineInvalid(path, line, $"expected a number after the timestamp, found '{fields[(comma + 1)..]}'");
            timestamps.Add(timestamp);
            values.Add(value);
        }

        try
        {
            return new NabSeries(name, CollectionsMarshal.AsSpan(timestamps), CollectionsMarshal.AsSpan(values), windows);
        }
        catch (ArgumentException e)
        {
            // The series' own check names the window; the reader adds which file holds it.
            throw EvaluationThrow.NabLabelsInvalid(labelsPath, e.Message, e);
        }
    }

    private static Dictionary<string, NabWindow[]> ReadWindows(string path)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw EvaluationThrow.NabLabelsInvalid(path, $"not valid JSON ({e.Message})", e);
        }

        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw EvaluationThrow.NabLabelsInvalid(path, $"expected an object mapping each series to its windows, found {json.RootElement.ValueKind}");
            var windows = new Dictionary<string, NabWindow[]>(StringComparer.Ordinal);
            foreach (var series in json.RootElement.EnumerateObject())
            {
                if (series.Value.ValueKind != JsonValueKind.Array)
                    throw EvaluationThrow.NabLabelsInvalid(path, $"series '{series.Name}': expected a list of [start, end] windows, found {series.Value.ValueKind}");
                var list = new NabWindow[series.Value.GetArrayLength()];
                int w = 0;
                foreach (var window in series.Value.EnumerateArray())
                {
                    list[w] = new NabWindow(Timestamp(path, series.Name, w, window, 0), Timestamp(path, series.Name, w, window, 1));
                    w++;
                }

                windows[series.Name] = list;
            }

            return windows;
        }
    }

    private static DateTime Timestamp(string path, string series, int window, JsonElement limits, int edge)
    {
        if (limits.ValueKind == JsonValueKind.Array && limits.GetArrayLength() == 2
            && limits[edge].ValueKind == JsonValueKind.String
            && DateTime.TryParse(limits[edge].GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
            return timestamp;
        throw EvaluationThrow.NabLabelsInvalid(path, $"series '{series}', window {window}: expected [start, end] as two timestamps such as \"2014-04-10 07:15:00.000000\", found {limits.GetRawText()}");
    }
}

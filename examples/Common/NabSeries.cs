using System.Globalization;
using System.Text.Json;

namespace MLNet.Lstm.Examples;

/// <summary>One NAB series: its timestamps and values, and the labelled anomaly windows.</summary>
/// <param name="Name">The file name without extension.</param>
/// <param name="Times">The timestamps.</param>
/// <param name="Values">The values.</param>
/// <param name="Windows">The labelled anomaly windows.</param>
public sealed record NabSeries(string Name, DateTime[] Times, float[] Values, (DateTime Start, DateTime End)[] Windows)
{
    /// <summary>Reads a series and its windows from NAB's files.</summary>
    public static NabSeries Load(string folder, string file)
    {
        var times = new List<DateTime>();
        var values = new List<float>();
        foreach (var line in File.ReadLines(Path.Combine(folder, file)).Skip(1))
        {
            var fields = line.Split(',');
            times.Add(DateTime.Parse(fields[0], CultureInfo.InvariantCulture));
            values.Add(float.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "combined_windows.json")));
        var windows = json.RootElement.GetProperty(file).EnumerateArray()
            .Select(w => (DateTime.Parse(w[0].GetString()!, CultureInfo.InvariantCulture), DateTime.Parse(w[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToArray();
        return new NabSeries(Path.GetFileNameWithoutExtension(file), [.. times], [.. values], windows);
    }

    /// <summary>Whether each point lies inside a labelled window.</summary>
    public bool[] PointLabels() => [.. Times.Select(t => Windows.Any(w => t >= w.Start && t <= w.End))];
}

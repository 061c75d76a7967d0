namespace MLNet.Lstm.Evaluation;

/// <summary>A labelled anomaly window of a NAB series: its first and last timestamp, both rows of the series.</summary>
/// <param name="Start">The timestamp of the window's first row.</param>
/// <param name="End">The timestamp of the window's last row.</param>
public readonly record struct NabWindow(DateTime Start, DateTime End);

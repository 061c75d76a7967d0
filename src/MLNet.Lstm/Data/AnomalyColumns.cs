namespace MLNet.Lstm.Data;

/// <summary>The columns an <see cref="LstmAnomalyEstimator"/> reads and writes.</summary>
/// <param name="Output">The appended [Alert, Score, Error] column.</param>
/// <param name="Inputs">One Single column per feature of the series.</param>
/// <param name="Timestamp">A DateTime or numeric column whose values must strictly increase, or null.</param>
internal sealed record AnomalyColumns(string Output, string[] Inputs, string? Timestamp);

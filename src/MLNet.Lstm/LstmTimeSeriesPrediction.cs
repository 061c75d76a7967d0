namespace MLNet.Lstm;

/// <summary>What <see cref="LstmTimeSeriesEngine.Predict(ReadOnlySpan{float})"/> says about one point.</summary>
/// <param name="Score">
/// The anomaly score in [0, 1]: Numenta's log-scaled anomaly likelihood of the recent forecast
/// errors against the series' own history. About 0.03 is typical; 0.5 means a one-in-100,000
/// error; 1 one in ten billion. 0 while the engine warms up.
/// </param>
/// <param name="Error">
/// The point's forecast error: the mean over features of (forecast − point)², both as the LSTM
/// reads them (after the model's scaling). NaN for the first point, which has no forecast.
/// </param>
public readonly record struct LstmTimeSeriesPrediction(float Score, float Error);

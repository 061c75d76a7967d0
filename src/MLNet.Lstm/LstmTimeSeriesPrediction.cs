namespace MLNet.Lstm;

/// <summary>What <see cref="LstmTimeSeriesEngine.Predict(ReadOnlySpan{float})"/> says about one point.</summary>
/// <param name="Score">
/// The anomaly score in [0, 1]: how improbable the forecast error is against the series' own
/// error history (a normal fitted to its last <see cref="LstmTimeSeriesOptions.HistoryLength"/>
/// errors), as −log10 of that probability over 100. Typical points score below 0.01; a
/// one-in-a-billion error 0.09; 1 is 10⁻¹⁰⁰ or less. On the NAB corpus the best threshold
/// (standard profile) is 0.37, an error of probability 10⁻³⁷ (BENCHMARKS.md). 0 for points the model was trained on
/// (<see cref="LstmTimeSeriesOptions.TrainingPoints"/>) and while the history warms up.
/// </param>
/// <param name="Error">
/// The point's forecast error: the mean over features of (forecast − point)², both as the LSTM
/// reads them (after the model's scaling). NaN for the first point, which has no forecast; always
/// finite otherwise: a point whose error would exceed float's range (about 1e19 away from the
/// forecast, after scaling) is refused by Predict, with the engine's state unchanged.
/// </param>
public readonly record struct LstmTimeSeriesPrediction(float Score, float Error);

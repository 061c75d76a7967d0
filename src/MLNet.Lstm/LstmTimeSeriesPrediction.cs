namespace MLNet.Lstm;

/// <summary>What <see cref="LstmTimeSeriesEngine.Predict(ReadOnlySpan{float})"/> says about one point.</summary>
/// <param name="Score">
/// The anomaly score in [0, 1]. Each signal's improbability against the series' own history of it
/// (its last <see cref="LstmTimeSeriesOptions.HistoryLength"/> values), as −log10 of that
/// probability. The forecast error (<see cref="Error"/>) is judged by
/// <see cref="LstmTimeSeriesOptions.ErrorTail"/>: by default, with a value range and kept training
/// states, by the share of the history at least as large, over the most digits a full history
/// gives (a median error scores 0.08, one larger than all but 1 % of the history 0.5, the largest
/// 1); otherwise by a normal fitted to the history, over 100 digits (typical points below 0.01, a
/// one-in-a-billion error 0.09, 1 is 10⁻¹⁰⁰ or less), as the state's novelty
/// (<see cref="Novelty"/>) always is, where the engine kept training states
/// (<see cref="LstmTimeSeriesOptions.NoveltyMemory"/>). With both signals the score is their
/// mean. A point beyond the range of the values read
/// (<see cref="LstmTimeSeriesOptions.ValueRangeTolerance"/>) scores 1. 0 for points the model was
/// trained on (<see cref="LstmTimeSeriesOptions.TrainingPoints"/>) and while the history warms
/// up. On the NAB corpus the best threshold (standard profile) is about 0.5 (BENCHMARKS.md).
/// </param>
/// <param name="Error">
/// The point's forecast error: the mean over features of (forecast − point)², both as the LSTM
/// reads them (after the model's scaling). NaN for the first point, which has no forecast; always
/// finite otherwise: a point whose error would exceed float's range (about 1e19 away from the
/// forecast, after scaling) is refused by Predict, with the engine's state unchanged.
/// </param>
public readonly record struct LstmTimeSeriesPrediction(float Score, float Error)
{
    /// <summary>
    /// How far the LSTM's state after this point lies from every state it was in on the training
    /// points: the squared distance to the nearest, each unit standardized by its spread over them
    /// (0 for a state it has been in; the state's width, L·H, is a typical distance for a state
    /// unlike all of them). NaN for training points and where no states were kept
    /// (<see cref="LstmTimeSeriesOptions.NoveltyMemory"/> 0, <see cref="LstmTimeSeriesOptions.TrainingPoints"/> 0).
    /// </summary>
    /// <example>
    /// <code>
    /// var prediction = engine.Predict(value);
    /// Console.WriteLine($"score {prediction.Score:F3}: error {prediction.Error:G3}, novelty {prediction.Novelty:G3}");
    /// </code>
    /// </example>
    public float Novelty { get; init; } = float.NaN;
}

namespace MLNet.Lstm.Streaming;

/// <summary>
/// What a time-series engine carries from one point to the next, and all a checkpoint holds of
/// it: the LSTM's states ([L·H], layer 0 first), the forecast of the next point, the points seen
/// the error history, the range of the values read, and the states kept to judge novelty by with their own history.
/// </summary>
internal readonly record struct EngineState(long Points, float[] Hidden, float[] Cell, float[] Forecast, AnomalyLikelihood Likelihood, ValueRange Range,
    StateNovelty Novelty, AnomalyLikelihood? NoveltyLikelihood);

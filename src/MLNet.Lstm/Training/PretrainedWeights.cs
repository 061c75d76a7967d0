namespace MLNet.Lstm.Training;

/// <summary>
/// A model to fine-tune, as training reads it (the estimator reads its graph): its LSTM with its
/// preprocessing, and its whole weights when its head is one Gemm of the size the objective needs.
/// Both are read when training asks, after the rows, so a bad row is reported before a bad model.
/// </summary>
/// <param name="Lstm">The LSTM's weights, its convolutional branch and its preprocessing, without a head.</param>
/// <param name="WithHead">The weights with the head, for a head of the given output size; null when the model's head does not fit it.</param>
internal sealed record PretrainedWeights(Func<LstmWeights> Lstm, Func<int, LstmWeights?> WithHead);

namespace MLNet.Lstm;

/// <summary>
/// What the featurizer hands on for each sequence. H is the hidden size, D is 2 for a
/// bidirectional model and 1 otherwise, L the number of layers.
/// </summary>
/// <example>
/// <code>
/// var options = new LstmFeaturizerOptions { Representation = LstmRepresentation.MeanHidden };
/// </code>
/// </example>
public enum LstmRepresentation
{
    /// <summary>The top layer's hidden state after the last step: D·H values, forward then backward.</summary>
    LastHidden,

    /// <summary>The final hidden state of every layer, layer 0 first: L·D·H values.</summary>
    LastHiddenAllLayers,

    /// <summary>The top layer's cell state after the last step: D·H values.</summary>
    LastCell,

    /// <summary>The mean over time of the top layer's per-step output: D·H values.</summary>
    MeanHidden,

    /// <summary>The maximum over time of the top layer's per-step output: D·H values.</summary>
    MaxHidden,

    /// <summary>The model's own output, e.g. its linear head on the last step: <see cref="LstmModel.OutputSize"/> values.</summary>
    ModelOutput,

    /// <summary>
    /// An anomaly score, 1 value: the mean squared error of the model's next-step forecasts over
    /// the sequence (its head applied at every step t &lt; T−1 against x(t+1)). For models trained
    /// with <see cref="LstmObjective.NextStep"/>; higher means less like the training data.
    /// A sequence the LSTM reads as one step (T = 1, or T ≤ the model's
    /// <see cref="LstmWeights.PoolingStride"/>) has no next step to forecast: its score is NaN,
    /// ML.NET's missing value, not 0.
    /// </summary>
    NextStepError,

    /// <summary>
    /// The top layer's final hidden state (as <see cref="LastHidden"/>), its mean over time and
    /// its maximum over time, concatenated: 3·D·H values, then, for a model with a convolutional
    /// branch (<see cref="LstmWeights.GetConvLayer"/>), the branch's features (its last layer's
    /// channels averaged over time), then, for a model with kernel banks
    /// (<see cref="LstmWeights.KernelBanks"/>), MiniRocket's proportions; each value standardized
    /// where the model carries <see cref="LstmWeights.FeatureOffset"/> and <see cref="LstmWeights.FeatureScale"/>
    /// (a classifier trained by the featurizer does). The default: what the last step forgets, the mean and max
    /// still hold, and a classifier after the featurizer reads all of it (what a head with
    /// <see cref="LstmHeadInput.LastMeanMax"/> was trained on, and the kernel features beside it).
    /// </summary>
    LastMeanMax,
}

namespace MLNet.Lstm;

/// <summary>
/// What a model's linear head reads from the top layer's per-step output (<see cref="LstmWeights.HeadInput"/>).
/// D·H is the top layer's width: D is 2 for a bidirectional model and 1 otherwise, H the hidden size.
/// </summary>
/// <example>
/// <code>
/// var weights = new LstmWeights(inputSize: 1, hiddenSize: 32, outputSize: 3) { HeadInput = LstmHeadInput.LastMeanMax };
/// </code>
/// </example>
public enum LstmHeadInput
{
    /// <summary>The output at the last step, D·H values: PyTorch's <c>fc(out[:, -1, :])</c>, as <c>torch.onnx.export</c> writes the seed model.</summary>
    LastStep,

    /// <summary>
    /// The final hidden state, the mean over time and the maximum over time, 3·D·H values: what
    /// <see cref="LstmRepresentation.LastMeanMax"/> hands on. Every step then reaches the head
    /// directly, which trains far better on long sequences than the last step alone.
    /// </summary>
    LastMeanMax,
}

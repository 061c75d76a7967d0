namespace MLNet.Lstm.Runtime;

/// <summary>
/// What the step runner needs of a one-step graph, and nothing else: its bytes, the names of its
/// inputs (the point, every layer's hidden and cell state) and outputs (the next states, the point
/// as the LSTM read it, the forecast), the sizes, and the session's threads. The engine fills it
/// from the graph it built; the runner never sees the model.
/// </summary>
/// <param name="Onnx">The one-step graph's bytes.</param>
/// <param name="PointName">The input that takes the point [1, F].</param>
/// <param name="HiddenName">The input that takes every layer's hidden state [L, 1, H].</param>
/// <param name="CellName">The input that takes every layer's cell state [L, 1, H].</param>
/// <param name="NextHiddenName">The output that gives the hidden states after the step.</param>
/// <param name="NextCellName">The output that gives the cell states after the step.</param>
/// <param name="ScaledPointName">The output that gives the point after the model's scaling.</param>
/// <param name="ForecastName">The output that gives the head's forecast of the next point.</param>
/// <param name="InputSize">Features per point (F).</param>
/// <param name="HiddenSize">Hidden units per layer (H).</param>
/// <param name="NumLayers">LSTM layers (L).</param>
/// <param name="IntraOpNumThreads">ONNX Runtime's intra-op threads; null for <see cref="LstmDefaults.StepIntraOpNumThreads"/>.</param>
internal sealed record LstmStepSpec(byte[] Onnx, string PointName, string HiddenName, string CellName, string NextHiddenName, string NextCellName,
    string ScaledPointName, string ForecastName, int InputSize, int HiddenSize, int NumLayers, int? IntraOpNumThreads);

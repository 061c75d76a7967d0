namespace MLNet.Lstm;

/// <summary>
/// The arithmetic ONNX Runtime runs the LSTM in: a deployment setting of the CPU session, like
/// the thread count. The model itself (<c>SaveOnnx</c>, model.zip, an ONNX export) stays plain
/// fp32 ONNX whatever is chosen here.
/// </summary>
/// <example>
/// <code>
/// var options = new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 };
/// </code>
/// </example>
public enum LstmPrecision
{
    /// <summary>Single precision throughout: the ONNX LSTM operator as the model has it.</summary>
    Float32,

    /// <summary>
    /// ONNX Runtime's int8 LSTM (<c>com.microsoft.DynamicQuantizeLSTM</c>): W and R quantized per
    /// output channel when the session is made (symmetric, zero point 0), the input and hidden
    /// state quantized per tensor at every step. Features move by about 1 % of their range
    /// (BENCHMARKS.md); CPU only. The per-tensor scale spans every row of a call, so a row's
    /// features also move slightly (up to about 4e-4 measured) with the rows batched beside it: a
    /// PredictionEngine's single row is not bit-equal to the same row in a batch.
    /// </summary>
    Int8,
}

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Refuses a graph whose declared sizes cannot be held: a hidden_size of 10⁹ reads like any other
/// attribute, and only fails later, in a weight copy or a representation size, with a bare
/// OverflowException. Every tensor the model implies must fit one .NET array.
/// </summary>
internal static class OnnxSizeCheck
{
    /// <summary>The recurrence weights R that a node's hidden_size implies fit one array (and hidden_size is at least 1).</summary>
    public static void RequireRecurrenceFits(string source, string node, long hiddenSize, int directions)
    {
        if (hiddenSize < 1)
        {
            throw LstmThrow.ModelInvalid(source, $"LSTM node '{node}' has hidden_size {hiddenSize}; expected at least 1");
        }
        // 128 bits: directions × 4H × H overflows 64 bits for hidden sizes near 2³¹.
        Check(source, node, hiddenSize, "recurrence weights R", "directions × 4·hidden_size × hidden_size", directions * 4 * (Int128)hiddenSize * hiddenSize);
    }

    public static void RequireFits(LstmGraphInfo info, string source)
    {
        var first = info.LstmNodes[0];
        Int128 gates = 4 * (Int128)info.HiddenSize, directions = info.NumDirections;
        Check(source, first.Name, info.HiddenSize, "input weights W", "directions × 4·hidden_size × input size", directions * gates * info.InputSize);
        if (info.NumLayers > 1)
        {
            Check(source, info.LstmNodes[1].Name, info.HiddenSize, "input weights W", "directions × 4·hidden_size × directions·hidden_size", directions * gates * directions * info.HiddenSize);
        }
    }

    private static void Check(string source, string node, long hiddenSize, string tensor, string shape, Int128 elements)
    {
        if (elements > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.LstmNodeTooLarge(source, node, hiddenSize, tensor, shape, elements);
        }
    }
}

namespace MLNet.Lstm;

/// <summary>Every default value of MLNet.Lstm, in one place.</summary>
internal static class LstmDefaults
{
    public const string OutputColumnName = "Features";
    public const string InputColumnName = "Sequence";
    public const LstmRepresentation Representation = LstmRepresentation.LastHidden;

    /// <summary>Rows per ONNX Runtime call: large enough that the per-call overhead vanishes, small enough to stay in cache.</summary>
    public const int BatchSize = 256;
}

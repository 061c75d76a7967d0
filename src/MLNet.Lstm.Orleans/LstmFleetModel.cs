namespace MLNet.Lstm.Orleans;

/// <summary>
/// The silo's one model, shared by every series grain on it: each grain makes its own engine
/// (its own states) from it, so the ONNX graph is read and checked once per silo.
/// </summary>
internal sealed class LstmFleetModel(LstmModel model, LstmFleetOptions options)
{
    public LstmModel Model { get; } = model;

    public LstmFleetOptions Options { get; } = options;

    public LstmTimeSeriesEngine CreateEngine() => Model.CreateTimeSeriesEngine(Options.Scoring);
}

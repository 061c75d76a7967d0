using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>
/// Makes the pool's PredictionEngines. An engine is not thread-safe, but engines on one
/// transformer are (they share its ONNX Runtime session), so each request borrows its own.
/// </summary>
/// <param name="create">Makes one engine on the loaded model.</param>
public sealed class EnginePolicy(Func<PredictionEngine<ScoringInput, ScoringOutput>> create)
    : PooledObjectPolicy<PredictionEngine<ScoringInput, ScoringOutput>>
{
    /// <inheritdoc/>
    public override PredictionEngine<ScoringInput, ScoringOutput> Create() => create();

    /// <summary>Every engine goes back: it keeps no state between predictions.</summary>
    public override bool Return(PredictionEngine<ScoringInput, ScoringOutput> engine) => true;
}

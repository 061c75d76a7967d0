using System.Text.Json.Serialization;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>One sequence's answer.</summary>
/// <param name="Score">The classifier's raw score.</param>
/// <param name="Probability">The calibrated probability of the positive class.</param>
/// <param name="Label">The predicted class.</param>
/// <param name="Features">The LSTM featurizer's output vector, when the request asked for it.</param>
public sealed record ScoreResult(
    float Score,
    float Probability,
    bool Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? Features);

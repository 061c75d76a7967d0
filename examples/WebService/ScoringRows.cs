using Microsoft.ML.Data;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>One sequence, as the <see cref="Microsoft.ML.PredictionEngine{TSrc, TDst}"/> reads it.</summary>
public sealed class ScoringInput
{
    /// <summary>The sequence's values, time-major; the column's name and size come from the model.zip's schema.</summary>
    public float[] Sequence { get; set; } = [];
}

/// <summary>A binary classifier's outputs, plus the featurizer's representation copied out before later steps rewrite it.</summary>
public sealed class ScoringOutput
{
    /// <summary>The classifier's raw score.</summary>
    public float Score { get; set; }

    /// <summary>The calibrated probability of the positive class.</summary>
    public float Probability { get; set; }

    /// <summary>The predicted class.</summary>
    public bool PredictedLabel { get; set; }

    /// <summary>The LSTM featurizer's output vector for this sequence.</summary>
    [ColumnName(ScoringModel.RepresentationColumn)]
    public float[] Representation { get; set; } = [];
}

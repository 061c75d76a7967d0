namespace MLNet.Lstm;

/// <summary>What the LSTM learns when the featurizer trains it (<see cref="LstmTrainingOptions.Objective"/>).</summary>
/// <example>
/// <code>
/// var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" };
/// </code>
/// </example>
public enum LstmObjective
{
    /// <summary>Predict a class from the sequence: a linear head on the top layer's last step, cross-entropy loss. Needs a label.</summary>
    Classification,

    /// <summary>Predict a number or a vector from the sequence: a linear head on the top layer's last step, mean squared error. Needs a label.</summary>
    Regression,

    /// <summary>
    /// Self-supervised, no label: a linear head (H → F) at every step predicts the next step,
    /// mean squared error. The objective for anomaly detection on unlabelled data.
    /// </summary>
    NextStep,
}

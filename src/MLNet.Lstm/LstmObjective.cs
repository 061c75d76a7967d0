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

    /// <summary>
    /// Self-supervised, no label, an autoencoder: a linear head on the top layer's last step
    /// outputs the whole sequence the LSTM read (T·F values, time-major, as standardized and
    /// pooled), mean squared error. The final state must encode the window, so a window unlike
    /// the training data comes back worse: an anomaly score. Every sequence must have one length;
    /// one LSTM (no ensemble); bidirectional allowed, though the head reads the backward
    /// direction's output at the last step, which has read only that step.
    /// </summary>
    Reconstruction,
}

namespace MLNet.Lstm;

/// <summary>How the learning rate changes over training (<see cref="LstmTrainingOptions.LearningRateSchedule"/>).</summary>
/// <example>
/// <code>
/// var training = new LstmTrainingOptions { LearningRateSchedule = LstmLearningRateSchedule.Constant, LearningRate = 1e-3f };
/// </code>
/// </example>
public enum LstmLearningRateSchedule
{
    /// <summary><see cref="LstmTrainingOptions.LearningRate"/> at every step.</summary>
    Constant,

    /// <summary>
    /// Cosine annealing from <see cref="LstmTrainingOptions.LearningRate"/> to 0 over the planned
    /// steps (torch.optim.lr_scheduler.CosineAnnealingLR, stepped per batch): large steps early,
    /// small ones to settle, so the last epoch is a good one without a validation set to pick it.
    /// </summary>
    Cosine,
}

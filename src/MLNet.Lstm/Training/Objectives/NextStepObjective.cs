using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>
/// Self-supervised: the head (H → F) at every step t &lt; T−1 predicts the LSTM's input at t+1,
/// mean squared error over rows, steps and features. The exported head reads the last step, so
/// the model's own output is the forecast of the step after the sequence.
/// </summary>
internal sealed class NextStepObjective : TrainingObjective
{
    public static readonly NextStepObjective Instance = new();

    public override LstmObjective Kind => LstmObjective.NextStep;

    public override bool NeedsLabel => false;

    public override bool TrainsEnsembles => false;

    // A step to read and the next one to predict from it.
    public override int MinimumSteps => 2;

    public override LstmRepresentation? Enables => LstmRepresentation.NextStepError;

    public override string? BidirectionalRefusal => "predicts the next step, which a backward direction has already read";

    public override int OutputSize(DataViewType? label, int inputSize, int steps) => inputSize;

    public override LstmHeadInput HeadInput(LstmTrainingOptions training) => LstmHeadInput.LastStep;

    public override double Loss(TrainingBatch batch, ReadOnlySpan<float> top, HeadState head, LstmWeights? gradients, Span<float> dTop, float scale)
    {
        int steps = batch.Steps, rows = batch.Count, features = head.Linear.Outputs, hidden = head.Linear.Inputs;
        if (steps < 2)
        {
            return 0;
        }
        int predicted = (steps - 1) * rows;
        var states = top[..(predicted * hidden)];
        var errors = head.Linear.Forward(states, predicted);
        var targets = batch.Inputs.AsSpan(rows * features, predicted * features);
        System.Numerics.Tensors.TensorPrimitives.Subtract(errors, targets, errors);
        double count = predicted * features;
        double loss = System.Numerics.Tensors.TensorPrimitives.Dot(errors, errors) / count;
        if (gradients is null)
        {
            return loss;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(errors, (float)(2 / count) * scale, errors);
        head.Linear.Backward(errors, states, predicted, gradients, dTop[..(predicted * hidden)]);
        return loss;
    }
}

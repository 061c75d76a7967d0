using System.Numerics.Tensors;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>
/// Self-supervised, an autoencoder: the head (D·H → T·F) reads the top layer's last step and
/// outputs the whole window the LSTM read, time-major; mean squared error against that window.
/// The last step is a bottleneck: the window must be encoded in the final state, so windows unlike
/// the training rows come back worse. T is part of the head's size: every row must have one length.
/// </summary>
internal sealed class ReconstructionObjective : TrainingObjective
{
    public static readonly ReconstructionObjective Instance = new();

    public override LstmObjective Kind => LstmObjective.Reconstruction;

    public override bool NeedsLabel => false;

    public override string? LabelRefusal => "reads no label: it reconstructs each row's own sequence";

    public override bool NeedsOneLength => true;

    public override bool TrainsEnsembles => false;

    public override int OutputSize(DataViewType? label, int inputSize, int steps) => checked(steps * inputSize);

    public override LstmHeadInput HeadInput(LstmTrainingOptions training) => LstmHeadInput.LastStep;

    public override double Loss(TrainingBatch batch, ReadOnlySpan<float> top, HeadState head, LstmWeights? gradients, Span<float> dTop, float scale)
    {
        int steps = batch.Steps, rows = batch.Count, features = batch.Inputs.Length / (steps * rows), hidden = head.Linear.Inputs;
        var last = top.Slice((steps - 1) * rows * hidden, rows * hidden);
        var errors = head.Linear.Forward(last, rows);
        for (int n = 0; n < rows; n++)
        {
            for (int t = 0; t < steps; t++)
            {
                // The output is [rows, T·F] row by row; the batch's input is [T, rows, F].
                var output = errors.Slice((n * steps + t) * features, features);
                TensorPrimitives.Subtract(output, batch.Inputs.AsSpan((t * rows + n) * features, features), output);
            }
        }
        double count = errors.Length;
        double loss = TensorPrimitives.Dot(errors, errors) / count;
        if (gradients is null)
        {
            return loss;
        }
        TensorPrimitives.Multiply(errors, (float)(2 / count) * scale, errors);
        head.Linear.Backward(errors, last, rows, gradients, dTop.Slice((steps - 1) * rows * hidden, rows * hidden));
        return loss;
    }
}

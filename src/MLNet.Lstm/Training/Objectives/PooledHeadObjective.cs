using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>
/// Objectives that predict from the whole sequence: a linear head on the pooled top layer
/// (<see cref="LstmHeadInput"/>), with dropout on the head's input while training.
/// </summary>
internal abstract class PooledHeadObjective : TrainingObjective
{
    public override LstmHeadInput HeadInput(LstmTrainingOptions training) => training.HeadInput;

    public override bool TrainsConvBranch => true;

    // The loss pools the top layer as the head reads it, so a pretrained head keeps its own input.
    public override bool TrainsHeadReading(LstmHeadInput input, LstmTrainingOptions training) => true;

    /// <summary>
    /// The batch's mean loss from the head's outputs, [rows, members × C]: each row is
    /// <paramref name="members"/> predictions of its label, one per ensemble member, and the loss
    /// is their mean. Writes d(loss)/d(outputs) into <paramref name="dOutputs"/>.
    /// </summary>
    protected abstract double OutputLoss(TrainingBatch batch, Span<float> outputs, Span<float> dOutputs, int members);

    public override double Loss(TrainingBatch batch, ReadOnlySpan<float> top, HeadState head, LstmWeights? gradients, Span<float> dTop, float scale)
    {
        int rows = batch.Count;
        var pooled = head.Pooling.Forward(top, batch.Steps, rows);
        bool dropout = gradients is not null && head.Dropout > 0;
        if (dropout)
        {
            head.DropOut(pooled, batch.DropoutSeed);
        }
        var outputs = head.Linear.Forward(pooled, rows);
        var dOutputs = head.Gradient(outputs.Length + pooled.Length);
        var dPooled = dOutputs[outputs.Length..];
        dOutputs = dOutputs[..outputs.Length];
        double loss = OutputLoss(batch, outputs, dOutputs, head.Members);
        if (gradients is null)
        {
            return loss;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(dOutputs, scale, dOutputs);
        head.Linear.Backward(dOutputs, pooled, rows, gradients, dPooled);
        if (dropout)
        {
            head.ApplyMask(dPooled);
        }
        head.Pooling.Backward(dPooled, batch.Steps, rows, dTop);
        return loss;
    }
}

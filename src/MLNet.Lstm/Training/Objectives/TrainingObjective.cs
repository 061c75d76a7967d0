using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>
/// What the LSTM learns: an objective owns its output size, its label (type checks and
/// reading), its head's loss and gradient, and what its exported head reads. Adding an
/// objective is one new class here and one <see cref="LstmObjective"/> value.
/// </summary>
internal abstract class TrainingObjective
{
    public static TrainingObjective For(LstmObjective objective) => objective switch
    {
        LstmObjective.Classification => ClassificationObjective.Instance,
        LstmObjective.Regression => RegressionObjective.Instance,
        LstmObjective.NextStep => NextStepObjective.Instance,
        _ => throw LstmThrow.TrainingOptionInvalid(nameof(LstmTrainingOptions.Objective), $"expected Classification, Regression or NextStep, found {objective}"),
    };

    public abstract LstmObjective Kind { get; }

    /// <summary>Whether the objective reads a label column.</summary>
    public virtual bool NeedsLabel => true;

    /// <summary>Whether a label column of this type is one the objective can read.</summary>
    public abstract bool AcceptsLabel(DataViewType type);

    /// <summary>Values the head outputs per sequence.</summary>
    public abstract int OutputSize(DataViewType? label, int inputSize);

    /// <summary>Reads the current row's label into the training set.</summary>
    public abstract Action LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, TrainingSet set);

    /// <summary>Refuses labels, all rows read, that give nothing to learn (one class, say).</summary>
    public virtual void CheckLabels(TrainingSet set, DataViewSchema.Column label)
    {
    }

    /// <summary>What the trained and exported head reads from the top layer.</summary>
    public abstract LstmHeadInput HeadInput(LstmTrainingOptions training);

    /// <summary>
    /// The batch's mean loss from the top layer's output <paramref name="top"/> [T, N, D·H]. With
    /// <paramref name="gradients"/>, a training pass: adds the head's parameter gradients × <paramref name="scale"/>
    /// there and d(loss)/d(top) × <paramref name="scale"/> into <paramref name="dTop"/> (zeroed by the caller).
    /// </summary>
    public abstract double Loss(TrainingBatch batch, ReadOnlySpan<float> top, HeadState head, LstmWeights? gradients, Span<float> dTop, float scale);
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Training.Objectives;

/// <summary>
/// What the LSTM learns: an objective owns its rules (label, ensembles, directions, checked by
/// <see cref="Validate"/>), its output size, its label (type checks and reading), its head's
/// loss and gradient, what its exported head reads, and the representation only its models give. Adding an objective is one new class
/// here, its line in <see cref="All"/> and one <see cref="LstmObjective"/> value.
/// </summary>
internal abstract class TrainingObjective
{
    private static readonly TrainingObjective[] All =
    [
        ClassificationObjective.Instance,
        RegressionObjective.Instance,
        NextStepObjective.Instance,
        ReconstructionObjective.Instance,
    ];

    public static TrainingObjective For(LstmObjective objective) =>
        Array.Find(All, o => o.Kind == objective) ?? throw LstmThrow.ObjectiveUnknown(objective, Array.ConvertAll(All, o => o.Kind));

    /// <summary>Refuses a representation that only models of another objective give, before training one that cannot.</summary>
    public void RequireGives(LstmRepresentation representation)
    {
        if (Array.Find(All, o => o.Enables == representation) is { } owner && owner != this)
        {
            throw LstmThrow.RepresentationNeedsObjective(representation, Kind, owner.Kind);
        }
    }

    public abstract LstmObjective Kind { get; }

    /// <summary>Whether the objective reads a label column.</summary>
    public virtual bool NeedsLabel => true;

    /// <summary>The label types it reads, as its messages name them; unused when it needs no label.</summary>
    public virtual string LabelTypes => "";

    /// <summary>Why the objective refuses a label column, as its message says it; null when it ignores one it does not need.</summary>
    public virtual string? LabelRefusal => null;

    /// <summary>Whether its head pools the whole sequence, so a convolutional branch's features can join it (<see cref="LstmTrainingOptions.ConvChannels"/>).</summary>
    public virtual bool TrainsConvBranch => false;

    /// <summary>The fewest steps a row can be cut to and still teach something (<see cref="LstmTrainingOptions.AugmentSlice"/>).</summary>
    public virtual int MinimumSteps => 1;

    /// <summary>Whether every sequence must have one length (the output size depends on it).</summary>
    public virtual bool NeedsOneLength => false;

    /// <summary>Whether it trains an ensemble (<see cref="LstmTrainingOptions.EnsembleSize"/>) by default and on request.</summary>
    public virtual bool TrainsEnsembles => true;

    /// <summary>Why a backward direction defeats the objective, as its message says it; null when it allows one.</summary>
    public virtual string? BidirectionalRefusal => null;

    /// <summary>Refuses options that break the objective's rules.</summary>
    /// <param name="options">The options being checked.</param>
    /// <param name="bidirectional">Whether the LSTM trained reads backwards too (the initial model's, else the option).</param>
    public void Validate(LstmTrainingOptions options, bool bidirectional)
    {
        if (options.EnsembleSize > 1 && !TrainsEnsembles)
        {
            throw LstmThrow.ObjectiveTrainsOneLstm(Kind, options.EnsembleSize.Value);
        }
        if (bidirectional && BidirectionalRefusal is { } why)
        {
            throw LstmThrow.ObjectiveRefusesBidirectional(Kind, why);
        }
        if (NeedsLabel && string.IsNullOrWhiteSpace(options.LabelColumnName))
        {
            throw LstmThrow.LabelMissing(Kind);
        }
        if (!NeedsLabel && LabelRefusal is { } refusal && !string.IsNullOrWhiteSpace(options.LabelColumnName))
        {
            throw LstmThrow.ObjectiveRefusesLabel(Kind, refusal, options.LabelColumnName);
        }
    }

    /// <summary>The representation only models trained with this objective give (beyond those every model gives); null for none.</summary>
    public virtual LstmRepresentation? Enables => null;

    /// <summary>Whether a label column of this type is one the objective can read; none, for one that needs no label.</summary>
    public virtual bool AcceptsLabel(DataViewType type) => false;

    /// <summary>Values the head outputs per sequence.</summary>
    /// <param name="label">The label column's type; null without a label.</param>
    /// <param name="inputSize">Features per step (F).</param>
    /// <param name="steps">Steps the LSTM reads (after pooling) in the first row: every row's with <see cref="NeedsOneLength"/>.</param>
    public abstract int OutputSize(DataViewType? label, int inputSize, int steps);

    /// <summary>Reads the current row's label into the training set; only objectives that need a label have one.</summary>
    public virtual Action LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, TrainingSet set) =>
        throw LstmThrow.NoLabelToRead(Kind);

    /// <summary>Refuses labels, all rows read, that give nothing to learn (one class, say).</summary>
    public virtual void CheckLabels(TrainingSet set, DataViewSchema.Column label)
    {
    }

    /// <summary>What the trained and exported head reads from the top layer.</summary>
    public abstract LstmHeadInput HeadInput(LstmTrainingOptions training);

    /// <summary>
    /// Whether a pretrained head that reads <paramref name="input"/> can go on training: an objective
    /// whose loss feeds its head one input (the last step, each step) needs a head of that width.
    /// </summary>
    public virtual bool TrainsHeadReading(LstmHeadInput input, LstmTrainingOptions training) => input == HeadInput(training);

    /// <summary>
    /// The batch's mean loss from the top layer's output <paramref name="top"/> [T, N, D·H]. With
    /// <paramref name="gradients"/>, a training pass: adds the head's parameter gradients × <paramref name="scale"/>
    /// there and d(loss)/d(top) × <paramref name="scale"/> into <paramref name="dTop"/> (zeroed by the caller).
    /// </summary>
    public abstract double Loss(TrainingBatch batch, ReadOnlySpan<float> top, HeadState head, LstmWeights? gradients, Span<float> dTop, float scale);
}

using Microsoft.ML;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Tests;

/// <summary>Every objective the options can name has its class, found by its enum value, and owns its rules.</summary>
[TestClass]
public sealed class TrainingObjectiveTests
{
    [TestMethod]
    public void EveryLstmObjectiveValueFindsTheObjectiveOfThatKind()
    {
        foreach (var kind in Enum.GetValues<LstmObjective>())
        {
            Assert.AreEqual(kind, TrainingObjective.For(kind).Kind);
        }
    }

    [TestMethod]
    public void NextStepErrorOfAModelTrainedForAnotherObjectiveIsRefusedBeforeTraining()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Reconstruction },
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }));

        Assert.AreEqual("LstmFeaturizerOptions.Representation: NextStepError needs a model trained with the NextStep objective; the Reconstruction objective does not train one. Expected LstmObjective.NextStep or another representation, found Reconstruction. (Parameter 'Representation')", e.Message);
    }
}

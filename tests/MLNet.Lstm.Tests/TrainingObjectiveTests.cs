using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Tests;

/// <summary>Every objective the options can name has its class, found by its enum value.</summary>
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
}

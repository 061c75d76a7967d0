using Microsoft.ML;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// An ensemble of LSTMs trained side by side is exported as one LSTM node whose weights keep
/// the members apart: each member is an LSTM of its own, and the head is the members' mean.
/// </summary>
[TestClass]
public sealed class EnsembleTests
{
    private const int Hidden = 4, Members = 3, Steps = 12;

    [TestMethod]
    public void EnsembleIsOneLstmOfEveryMembersUnitsWithNoWeightBetweenMembers()
    {
        var weights = TrainEnsemble().GetWeights();

        Assert.AreEqual(Members * Hidden, weights.HiddenSize);
        Assert.AreEqual(2, weights.OutputSize);
        var recurrent = weights.GetCell(0, 0).WeightHh;
        int width = Members * Hidden, between = 0, within = 0;
        for (int row = 0; row < 4 * width; row++)
        {
            for (int column = 0; column < width; column++)
            {
                bool sameMember = row % width / Hidden == column / Hidden;
                float value = recurrent[row * width + column];
                between += !sameMember && value != 0 ? 1 : 0;
                within += sameMember && value != 0 ? 1 : 0;
            }
        }
        Assert.AreEqual(0, between);
        Assert.AreEqual(4 * width * Hidden, within);
    }

    [TestMethod]
    public void EachMembersStateIsThatOfAnLstmOfItsOwnWeights()
    {
        var model = TrainEnsemble();
        var weights = model.GetWeights();
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(count: 6, steps: Steps, seed: 9);
        var data = TestData.Sequences(mlContext, rows, Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden }).Fit(data);
        var features = TestData.Features(transformer.Transform(data));

        for (int member = 0; member < Members; member++)
        {
            var reference = new ReferenceLstm(Member(weights, member));
            var expected = rows.Select(r => reference.Run([.. r.Sequence.Select(v => new[] { v })]).LastHidden.Select(v => (float)v).ToArray()).ToArray();
            var actual = features.Select(f => f.AsSpan(member * Hidden, Hidden).ToArray()).ToArray();
            Assertions.AreClose(expected, actual, 1e-5);
        }
    }

    [TestMethod]
    public void EnsembleSizeWithTheNextStepObjectiveIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.NextStep, EnsembleSize = 2 }));

        Assert.AreEqual("LstmTrainingOptions.EnsembleSize: the NextStep objective trains one LSTM; expected null or 1, found 2. (Parameter 'EnsembleSize')", e.Message);
    }

    [TestMethod]
    public void EnsembleSizeWithAnInitialModelIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            InitialModel = LstmModel.CreateRandom(1, 4, outputSize: 2),
            EnsembleSize = 2,
        }));

        Assert.AreEqual("LstmTrainingOptions.EnsembleSize: fine-tuning an InitialModel trains that one model; expected null or 1, found 2. (Parameter 'EnsembleSize')", e.Message);
    }

    [TestMethod]
    public void EnsembleSizeThatDoesNotDivideTheHiddenUnitsIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 10, EnsembleSize = 3 }));

        Assert.AreEqual("LstmTrainingOptions.EnsembleSize: the members share HiddenSize's 10 units equally; expected a divisor of 10, found 3. (Parameter 'EnsembleSize')", e.Message);
    }

    [TestMethod]
    [DataRow(LstmObjective.Classification, 64, 2)]
    [DataRow(LstmObjective.Classification, 24, 1)]
    [DataRow(LstmObjective.Classification, 33, 1)]
    [DataRow(LstmObjective.NextStep, 64, 1)]
    public void DefaultEnsembleSplitsEvenHiddenSizesOfAtLeast32IntoTwoForLabelledObjectives(LstmObjective objective, int hiddenSize, int members)
    {
        var training = new LstmTrainingOptions { Objective = objective, HiddenSize = hiddenSize };

        Assert.AreEqual(members, training.Members);
    }

    [TestMethod]
    public void EnsembleSizeBelowOneIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", EnsembleSize = 0 }));

        Assert.AreEqual("LstmTrainingOptions.EnsembleSize: expected null (chosen from the objective) or at least 1, found 0. (Parameter 'EnsembleSize')", e.Message);
    }

    private static LstmModel TrainEnsemble()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineOrSquare(count: 32, steps: Steps, seed: 8), Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = Members * Hidden,
            EnsembleSize = Members,
            Epochs = 3,
        }).Fit(data);
        return transformer.Model;
    }

    /// <summary>Member <paramref name="member"/>'s rows and columns of the ensemble's LSTM, with the shared preprocessing.</summary>
    private static LstmWeights Member(LstmWeights ensemble, int member)
    {
        int width = ensemble.HiddenSize;
        var single = new LstmWeights(ensemble.InputSize, Hidden)
        {
            InputOffset = ensemble.InputOffset,
            InputScale = ensemble.InputScale,
            PoolingStride = ensemble.PoolingStride,
        };
        var from = ensemble.GetCell(0, 0);
        var to = single.GetCell(0, 0);
        for (int gate = 0; gate < 4; gate++)
        {
            for (int unit = 0; unit < Hidden; unit++)
            {
                int source = gate * width + member * Hidden + unit, target = gate * Hidden + unit;
                Array.Copy(from.WeightIh, source * from.InputSize, to.WeightIh, target * to.InputSize, to.InputSize);
                Array.Copy(from.WeightHh, source * width + member * Hidden, to.WeightHh, target * Hidden, Hidden);
                to.BiasIh[target] = from.BiasIh[source];
                to.BiasHh[target] = from.BiasHh[source];
            }
        }
        return single;
    }
}

namespace MLNet.Lstm.Tests;

/// <summary>LstmWeights are changed by copying: the copy constructor with an object initializer.</summary>
[TestClass]
public sealed class LstmWeightsCopyTests
{
    [TestMethod]
    public void CopyHoldsEveryValueInArraysOfItsOwn()
    {
        var source = new LstmWeights(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 2, bidirectional: true, seed: 1).GetWeights())
        {
            InputOffset = [0.5f, -1f],
            InputScale = [2f, 0.25f],
            PoolingStride = 3,
        };

        var copy = new LstmWeights(source);

        CollectionAssert.AreEqual(source.GetCell(1, 1).WeightHh, copy.GetCell(1, 1).WeightHh);
        CollectionAssert.AreEqual(source.HeadWeight, copy.HeadWeight);
        CollectionAssert.AreEqual(source.HeadBias, copy.HeadBias);
        CollectionAssert.AreEqual(new[] { 0.5f, -1f }, copy.InputOffset);
        CollectionAssert.AreEqual(new[] { 2f, 0.25f }, copy.InputScale);
        Assert.AreEqual(3, copy.PoolingStride);
        Assert.AreNotSame(source.GetCell(1, 1).WeightHh, copy.GetCell(1, 1).WeightHh);
        Assert.AreNotSame(source.InputOffset, copy.InputOffset);
    }

    [TestMethod]
    public void CopyWithAnotherHeadInputHasAZeroHeadWeightOfItsWidth()
    {
        var source = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 2, seed: 2).GetWeights();

        var copy = new LstmWeights(source) { HeadInput = LstmHeadInput.LastMeanMax };

        Assert.AreEqual(LstmHeadInput.LastStep, source.HeadInput);
        Assert.HasCount(2 * 3 * 4, copy.HeadWeight!);
        Assert.IsTrue(copy.HeadWeight!.All(w => w == 0));
        CollectionAssert.AreEqual(source.HeadBias, copy.HeadBias);
    }
}

using Microsoft.ML;
using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Tests;

/// <summary>The convolutional branch beside the LSTM: its numbers against PyTorch and a plain loop, its gradients, and the model around it.</summary>
[TestClass]
public sealed class ConvBranchTests
{
    [TestMethod]
    [DataRow("conv_stack")]
    [DataRow("conv_bn_stack")]
    public void OnnxFeaturesMatchPyTorchsConv1dStack(string fixtureName)
    {
        var fixture = ConvFixture.Load(fixtureName);
        var model = LstmModel.FromWeights(fixture.Weights(hidden: 4, outputSize: 2, seed: 3));
        var ml = new MLContext(seed: 1);
        foreach (var c in fixture.Cases)
        {
            var features = TestData.Features(ml.Transforms.LstmFeaturizeSequence(model).Fit(TestData.Sequences(ml, c.Sequences(fixture.InputSize)))
                .Transform(TestData.Sequences(ml, c.Sequences(fixture.InputSize))));
            int size = fixture.Channels[^1];
            Assert.AreEqual(3 * 4 + size, features[0].Length);
            var conv = features.Select(row => row[^size..]).ToArray();
            var expected = Enumerable.Range(0, c.Batch).Select(n => c.Features[(n * size)..((n + 1) * size)]).ToArray();
            Assertions.AreClose(expected, conv, 1e-5);
        }
    }

    [TestMethod]
    [DataRow("conv_stack")]
    [DataRow("conv_bn_stack")]
    public void TrainingForwardPassMatchesPyTorchsConv1dStack(string fixtureName)
    {
        var fixture = ConvFixture.Load(fixtureName);
        var weights = fixture.Weights(hidden: 4, outputSize: 2, seed: 3);
        foreach (var c in fixture.Cases)
        {
            var branch = new ConvBranch(weights);
            branch.Refresh();
            branch.Forward(TimeMajor(c.Sequences(fixture.InputSize)), c.Steps, c.Batch);
            var actual = branch.Features.ToArray();
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.AreEqual(c.Features[i], actual[i], 1e-5, $"T = {c.Steps}, value {i}");
            }
        }
    }

    [TestMethod]
    [DataRow("conv_stack")]
    [DataRow("conv_bn_stack")]
    public void TrainingForwardPassOnTheBranchsOwnBatchMatchesPyTorchsConv1dStack(string fixtureName)
    {
        var fixture = ConvFixture.Load(fixtureName);
        var weights = fixture.Weights(hidden: 4, outputSize: 2, seed: 3);
        foreach (var c in fixture.Cases)
        {
            var branch = new ConvBranch(weights);
            branch.Refresh();
            branch.ForwardBatchMajor([.. c.Sequences(fixture.InputSize).SelectMany(row => row.SelectMany(step => step))], c.Steps, c.Batch);
            var actual = branch.Features.ToArray();
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.AreEqual(c.Features[i], actual[i], 1e-5, $"T = {c.Steps}, value {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(LstmHeadInput.LastStep)]
    [DataRow(LstmHeadInput.LastMeanMax)]
    public void GradientsOfABranchReadingItsOwnStepsMatchCentralFiniteDifferences(LstmHeadInput headInput)
    {
        const int Features = 2, Hidden = 4, Steps = 3, ConvSteps = 7, Rows = 3, Classes = 3;
        var weights = new LstmWeights(Features, Hidden, outputSize: Classes, convChannels: [3, 2], convKernelSizes: [4, 2]) { HeadInput = headInput, PoolingStride = 3, ConvPoolingStride = 1 };
        FillForGradientCheck(weights);
        var random = new Random(5);
        var batch = new TrainingBatch
        {
            Count = Rows,
            Steps = Steps,
            Inputs = [.. Enumerable.Range(0, Steps * Rows * Features).Select(_ => (float)(random.NextDouble() * 4 - 2))],
            ConvSteps = ConvSteps,
            ConvInputs = [.. Enumerable.Range(0, ConvSteps * Rows * Features).Select(_ => (float)(random.NextDouble() * 4 - 2))],
            Classes = [.. Enumerable.Range(0, Rows).Select(_ => random.Next(Classes))],
        };
        var network = new LstmNetwork(weights, ClassificationObjective.Instance);
        var gradients = weights.ZerosLike();
        network.LossAndGradients(batch, gradients);

        foreach (var (parameter, gradient) in weights.Tensors().Zip(gradients.Tensors()).Skip(4))
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                // A step of 1e-2 moves some ReLU inputs across 0 over these 7 steps; 2e-3 stays off the kinks.
                double numeric = TrainingNetworkTests.CentralDifference(network, batch, parameter, i, 2e-3f);
                Assert.AreEqual(numeric, gradient[i], 2e-3 + 1e-2 * Math.Abs(numeric), $"tensor of {parameter.Length} values, index {i}");
            }
        }
    }

    public static IEnumerable<object[]> GradientCases =>
        from headInput in Enum.GetValues<LstmHeadInput>()
        from members in new[] { 1, 2 }
        from kernels in new[] { new[] { 3, 2 }, new[] { 4, 1 } }
        select new object[] { headInput, members, kernels };

    [TestMethod]
    [DynamicData(nameof(GradientCases))]
    public void ConvGradientsMatchCentralFiniteDifferences(LstmHeadInput headInput, int members, int[] kernels)
    {
        const int Features = 2, Hidden = 4, Steps = 5, Rows = 3, Classes = 3;
        var lstm = LstmModel.CreateRandom(Features, Hidden, seed: 4).GetWeights();
        var weights = new LstmWeights(Features, Hidden, outputSize: members * Classes, convChannels: [3, 2], convKernelSizes: kernels) { HeadInput = headInput };
        FillForGradientCheck(weights);
        var random = new Random(5);
        var batch = new TrainingBatch
        {
            Count = Rows,
            Steps = Steps,
            Inputs = [.. Enumerable.Range(0, Steps * Rows * Features).Select(_ => (float)(random.NextDouble() * 4 - 2))],
            Classes = [.. Enumerable.Range(0, Rows).Select(_ => random.Next(Classes))],
        };
        var network = new LstmNetwork(weights, ClassificationObjective.Instance, members: members);
        var gradients = weights.ZerosLike();
        network.LossAndGradients(batch, gradients);

        // Only the branch's tensors and the head: TrainingNetworkTests checks the LSTM's.
        var tensors = weights.Tensors().Zip(gradients.Tensors()).Skip(4).ToList();
        Assert.HasCount(2 * 2 + 2, tensors);
        foreach (var (parameter, gradient) in tensors)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                double numeric = TrainingNetworkTests.CentralDifference(network, batch, parameter, i, 1e-2f);
                Assert.AreEqual(numeric, gradient[i], 2e-3 + 1e-2 * Math.Abs(numeric), $"tensor of {parameter.Length} values, index {i}");
            }
        }
    }

    /// <summary>
    /// Every tensor uniform in [−1, 1) from seed 6; with <see cref="LstmHeadInput.LastMeanMax"/>, the
    /// head's weights on the max over time zeroed: its kinks, where the arg max changes, would
    /// break finite differences (as TrainingNetworkTests leaves them out).
    /// </summary>
    private static void FillForGradientCheck(LstmWeights weights)
    {
        var draw = new Random(6);
        foreach (var tensor in weights.Tensors())
        {
            for (int i = 0; i < tensor.Length; i++)
            {
                tensor[i] = (float)(draw.NextDouble() * 2 - 1);
            }
        }
        if (weights.HeadInput == LstmHeadInput.LastMeanMax)
        {
            int width = weights.HeadInputWidth, hidden = weights.HiddenSize;
            for (int o = 0; o < weights.OutputSize; o++)
            {
                Array.Clear(weights.HeadWeight!, o * width + 2 * hidden, hidden);
            }
        }
    }

    /// <summary>[N][T][F] as the time-major [T, N, F] a training batch holds.</summary>
    private static float[] TimeMajor(float[][][] sequences)
    {
        int n = sequences.Length, steps = sequences[0].Length, f = sequences[0][0].Length;
        var result = new float[steps * n * f];
        for (int r = 0; r < n; r++)
        {
            for (int t = 0; t < steps; t++)
            {
                sequences[r][t].CopyTo(result, (t * n + r) * f);
            }
        }
        return result;
    }
}

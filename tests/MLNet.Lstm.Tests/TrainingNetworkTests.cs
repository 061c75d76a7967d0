using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Tests;

/// <summary>The .NET training core: exact gradients, and PyTorch's training run reproduced step by step.</summary>
[TestClass]
public sealed class TrainingNetworkTests
{
    public static IEnumerable<object[]> GradientCases =>
        from objective in Enum.GetValues<LstmObjective>()
        let rules = TrainingObjective.For(objective)
        from layers in new[] { 1, 2 }
        from bidirectional in new[] { false, true }
        from headInput in Enum.GetValues<LstmHeadInput>()
        where !(bidirectional && rules.BidirectionalRefusal is not null)
        where rules.HeadInput(new LstmTrainingOptions { HeadInput = headInput }) == headInput
        from members in new[] { 1, 2 }
        where members == 1 || rules.TrainsEnsembles && layers == 1
        select new object[] { objective, layers, bidirectional, headInput, members };

    [TestMethod]
    [DynamicData(nameof(GradientCases))]
    public void AnalyticGradientsMatchCentralFiniteDifferences(LstmObjective objective, int layers, bool bidirectional, LstmHeadInput headInput, int members)
    {
        const int Features = 2, Hidden = 3, Steps = 4, Rows = 3;
        int labels = objective switch { LstmObjective.Classification => 3, LstmObjective.Regression => 2, LstmObjective.Reconstruction => Steps * Features, _ => Features };
        // An ensemble's head has one group of outputs per member, each predicting the same label.
        int outputs = members * labels;
        // PyTorch's initial weights (±1/√H) leave the recurrent gradients near float noise;
        // weights twice that size make every gradient large enough to check in float.
        var weights = new LstmWeights(LstmModel.CreateRandom(Features, Hidden, layers, outputs, bidirectional, seed: 4).GetWeights()) { HeadInput = headInput };
        var draw = new Random(6);
        for (int i = 0; i < weights.HeadWeight!.Length; i++)
        {
            weights.HeadWeight[i] = (float)(draw.NextDouble() - 0.5);
        }
        if (headInput == LstmHeadInput.LastMeanMax)
        {
            // The max over time has kinks where its arg max changes, and finite differences across
            // one are meaningless: the network check leaves the max out (its head weights 0), and
            // HeadInputPoolingGradientsMatchFiniteDifferences checks it away from ties.
            int width = weights.HeadInputWidth / 3;
            for (int o = 0; o < outputs; o++)
            {
                Array.Clear(weights.HeadWeight, o * 3 * width + 2 * width, width);
            }
        }
        foreach (var tensor in weights.Tensors())
        {
            TensorPrimitivesScale(tensor, 2f);
        }
        var batch = Batch(objective, Steps, Rows, Features, labels, seed: 5);
        var network = new LstmNetwork(weights, TrainingObjective.For(objective), members: members);
        var gradients = weights.ZerosLike();
        network.LossAndGradients(batch, gradients);

        // Float forward passes are noisy at small steps, so take large ones and cancel their
        // second-order error with Richardson extrapolation: (4·D(ε/2) − D(ε)) / 3.
        const float Epsilon = 0.05f;
        // Float forward passes leave ~1e-6 of noise in each difference quotient, so the 1e-3 bound
        // is on the whole gradient; each tensor alone must be within 1e-2 (a wrong one is off by ~1).
        double allDifference = 0, allNumeric = 0;
        foreach (var (parameter, gradient) in weights.Tensors().Zip(gradients.Tensors()))
        {
            var numeric = new double[parameter.Length];
            for (int i = 0; i < parameter.Length; i++)
            {
                numeric[i] = (4 * CentralDifference(network, batch, parameter, i, Epsilon / 2) - CentralDifference(network, batch, parameter, i, Epsilon)) / 3;
            }
            network.ParametersChanged();
            double squaredDifference = numeric.Zip(gradient, (n, a) => (n - a) * (n - a)).Sum();
            double squaredNumeric = numeric.Sum(n => n * n);
            allDifference += squaredDifference;
            allNumeric += squaredNumeric;
            double relative = Math.Sqrt(squaredDifference / (squaredNumeric + 1e-12));
            Assert.IsLessThanOrEqualTo(1e-2, relative, $"tensor of {parameter.Length} values: relative error {relative:E2}");
        }
        Assert.IsLessThanOrEqualTo(1e-3, Math.Sqrt(allDifference / allNumeric));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void HeadInputPoolingGradientsMatchFiniteDifferences(bool bidirectional)
    {
        const int Hidden = 3, Steps = 5, Rows = 2;
        int directions = bidirectional ? 2 : 1, width = directions * Hidden;
        var pooling = new HeadInputPooling(LstmHeadInput.LastMeanMax, Hidden, directions);
        // Distinct values 0.1 apart, shuffled: no perturbation below 0.05 changes an arg max.
        var random = new Random(8);
        var top = Enumerable.Range(0, Steps * Rows * width).Select(i => 0.1f * i).OrderBy(_ => random.Next()).ToArray();
        var upstream = Enumerable.Range(0, Rows * 3 * width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        double Loss(float[] x)
        {
            var pooled = pooling.Forward(x, Steps, Rows);
            double sum = 0;
            for (int i = 0; i < pooled.Length; i++)
            {
                sum += pooled[i] * (double)upstream[i];
            }
            return sum;
        }
        Loss(top);
        var analytic = new float[top.Length];
        pooling.Backward(upstream, Steps, Rows, analytic);

        for (int i = 0; i < top.Length; i++)
        {
            float saved = top[i];
            top[i] = saved + 0.01f;
            double plus = Loss(top);
            top[i] = saved - 0.01f;
            double minus = Loss(top);
            top[i] = saved;
            Assert.AreEqual((plus - minus) / 0.02, analytic[i], 1e-3, $"value {i}");
        }
    }

    [TestMethod]
    [DataRow("train_classify")]
    [DataRow("train_next_step")]
    public void PerStepLossesMatchPyTorchsTrainingRun(string fixtureName)
    {
        var fixture = TrainingFixture.Load(fixtureName);
        var weights = LstmModel.FromOnnx(fixture.InitialOnnx).GetWeights();
        var network = new LstmNetwork(weights, TrainingObjective.For(fixture.Objective));
        var optimizer = new AdamOptimizer(weights, fixture.LearningRate);
        var gradients = weights.ZerosLike();

        for (int step = 0; step < fixture.Steps; step++)
        {
            var batch = FixtureBatch(fixture, step);
            foreach (var tensor in gradients.Tensors())
            {
                Array.Clear(tensor);
            }
            double loss = network.LossAndGradients(batch, gradients);
            Assert.AreEqual(fixture.Losses[step], loss, 1e-4, $"loss before step {step}");
            optimizer.Step(gradients, clipNorm: null);
            network.ParametersChanged();
        }
    }

    private static void TensorPrimitivesScale(float[] tensor, float factor)
    {
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor[i] *= factor;
        }
    }

    /// <summary>(loss(p + step) − loss(p − step)) / 2·step for one parameter, left as it was (the network refreshes on its next change).</summary>
    internal static double CentralDifference(LstmNetwork network, TrainingBatch batch, float[] parameter, int index, float step)
    {
        float saved = parameter[index];
        parameter[index] = saved + step;
        network.ParametersChanged();
        double plus = network.Loss(batch);
        parameter[index] = saved - step;
        network.ParametersChanged();
        double minus = network.Loss(batch);
        parameter[index] = saved;
        return (plus - minus) / ((double)(saved + step) - (saved - step));
    }

    internal static TrainingBatch FixtureBatch(TrainingFixture fixture, int step)
    {
        int n = fixture.BatchSize, steps = fixture.Input[0].Length, features = fixture.Input[0][0].Length;
        var batch = new TrainingBatch { Count = n, Steps = steps, Inputs = new float[steps * n * features], Classes = new int[n] };
        for (int r = 0; r < n; r++)
        {
            int row = (step * n + r) % fixture.Input.Length;
            for (int t = 0; t < steps; t++)
            {
                fixture.Input[row][t].CopyTo(batch.Inputs, (t * n + r) * features);
            }
            if (fixture.Labels.Length > 0)
            {
                batch.Classes[r] = fixture.Labels[row];
            }
        }
        return batch;
    }

    private static TrainingBatch Batch(LstmObjective objective, int steps, int rows, int features, int outputs, int seed)
    {
        var random = new Random(seed);
        return new TrainingBatch
        {
            Count = rows,
            Steps = steps,
            Inputs = [.. Enumerable.Range(0, steps * rows * features).Select(_ => (float)(random.NextDouble() * 4 - 2))],
            Classes = [.. Enumerable.Range(0, rows).Select(_ => random.Next(outputs))],
            Targets = [.. Enumerable.Range(0, rows * outputs).Select(_ => (float)(random.NextDouble() * 2 - 1))],
        };
    }
}

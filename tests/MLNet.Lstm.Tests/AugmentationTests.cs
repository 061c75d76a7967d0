using Microsoft.ML;
using MLNet.Lstm.Tests.Support;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Tests;

/// <summary>Training-batch augmentation (<see cref="LstmTrainingOptions.AugmentJitter"/>, <see cref="LstmTrainingOptions.AugmentScaling"/>, <see cref="LstmTrainingOptions.AugmentSlice"/>): what each does to a batch, that runs repeat, and the refusals.</summary>
[TestClass]
public sealed class AugmentationTests
{
    private const int Features = 2;

    /// <summary>Rows values 1 + row + step/100 + feature/10, time-major, and the same rows batch-major as the branch's own input.</summary>
    private static TrainingBatch Batch(int rows, int steps, int convSteps = 0, ulong seed = 42)
    {
        var batch = new TrainingBatch
        {
            Count = rows,
            Steps = steps,
            Inputs = new float[steps * rows * Features],
            ConvSteps = convSteps,
            ConvInputs = new float[convSteps * rows * Features],
            Classes = [.. Enumerable.Range(0, rows)],
            DropoutSeed = seed,
        };
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
            {
                for (int t = 0; t < steps; t++)
                {
                    batch.Inputs[(t * rows + r) * Features + f] = Value(r, t, f);
                }
                for (int t = 0; t < convSteps; t++)
                {
                    batch.ConvInputs[(r * convSteps + t) * Features + f] = Value(r, t, f);
                }
            }
        }
        return batch;
    }

    private static float Value(int row, int step, int feature) => 1 + row + step / 100f + feature / 10f;

    [TestMethod]
    public void ScalingMultipliesEachRowByOneFactorInBothInputs()
    {
        var batch = new BatchAugmentation(jitter: 0, scaling: 0.1f, slice: 0).Apply(Batch(rows: 4, steps: 5, convSteps: 9), Features);

        var factors = new double[4];
        for (int r = 0; r < 4; r++)
        {
            factors[r] = batch.Inputs[r * Features] / Value(r, 0, 0);
            for (int f = 0; f < Features; f++)
            {
                for (int t = 0; t < 5; t++)
                {
                    Assert.AreEqual(factors[r], batch.Inputs[(t * 4 + r) * Features + f] / Value(r, t, f), 1e-6, $"row {r}, step {t}, feature {f}");
                }
                for (int t = 0; t < 9; t++)
                {
                    Assert.AreEqual(factors[r], batch.ConvInputs[(r * 9 + t) * Features + f] / Value(r, t, f), 1e-6, $"branch row {r}, step {t}, feature {f}");
                }
            }
        }
        Assert.AreEqual(4, factors.Distinct().Count(), "each row draws its own factor");
        Assert.IsTrue(factors.All(x => Math.Abs(x - 1) < 0.5), $"factors around 1: {string.Join(", ", factors)}");
    }

    [TestMethod]
    public void JitterAddsNoiseOfTheStandardDeviationAsked()
    {
        var original = Batch(rows: 64, steps: 100);
        var batch = new BatchAugmentation(jitter: 0.05f, scaling: 0, slice: 0).Apply(Batch(rows: 64, steps: 100), Features);

        var noise = batch.Inputs.Zip(original.Inputs, (a, b) => (double)a - b).ToArray();
        double mean = noise.Average();
        double deviation = Math.Sqrt(noise.Average(x => (x - mean) * (x - mean)));

        Assert.AreEqual(0, mean, 0.003, "12,800 draws of σ 0.05: the mean's standard error is 0.0004");
        Assert.AreEqual(0.05, deviation, 0.0025);
    }

    [TestMethod]
    public void SlicingKeepsOneWindowPerRowAtItsOwnOffsetAndTheLabels()
    {
        var batch = new BatchAugmentation(jitter: 0, scaling: 0, slice: 0.25f).Apply(Batch(rows: 6, steps: 20, convSteps: 40), Features);

        Assert.AreEqual(15, batch.Steps);
        Assert.AreEqual(30, batch.ConvSteps);
        CollectionAssert.AreEqual(Enumerable.Range(0, 6).ToArray(), batch.Classes);
        var offsets = new int[6];
        for (int r = 0; r < 6; r++)
        {
            offsets[r] = (int)Math.Round((batch.Inputs[r * Features] - Value(r, 0, 0)) * 100);
            Assert.IsTrue(offsets[r] is >= 0 and <= 5, $"row {r} starts at step {offsets[r]}");
            for (int t = 0; t < 15; t++)
            {
                Assert.AreEqual(Value(r, offsets[r] + t, 1), batch.Inputs[(t * 6 + r) * Features + 1], 1e-6, $"row {r}, step {t}");
            }
            int convOffset = (int)Math.Round((batch.ConvInputs[r * 30 * Features] - Value(r, 0, 0)) * 100);
            Assert.AreEqual(2 * offsets[r], convOffset, $"row {r}: the branch's window starts where the LSTM's does");
        }
        Assert.IsTrue(offsets.Distinct().Count() > 1, $"rows draw their own offsets: {string.Join(", ", offsets)}");
    }

    [TestMethod]
    public void TheSameSeedAugmentsTheSameWayAndAnotherSeedOtherwise()
    {
        var augmentation = new BatchAugmentation(jitter: 0.03f, scaling: 0.1f, slice: 0.1f);

        var first = augmentation.Apply(Batch(rows: 3, steps: 10), Features);
        var again = augmentation.Apply(Batch(rows: 3, steps: 10), Features);
        var other = augmentation.Apply(Batch(rows: 3, steps: 10, seed: 43), Features);

        CollectionAssert.AreEqual(first.Inputs, again.Inputs);
        CollectionAssert.AreNotEqual(first.Inputs, other.Inputs);
    }

    [TestMethod]
    public void ValidationLossesReadTheRowsUnaugmented()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(16, 12, seed: 5), 12);
        var set = TrainingSet.Read(data, MLNet.Lstm.Data.SequenceInputBinding.Create(data.Schema, new LstmFeaturizerOptions(), inputSize: 1), ClassificationObjective.Instance, "Label");
        set.OutputSize = 2;
        var weights = new LstmWeights(1, 8, outputSize: 2, convChannels: [4], convKernelSizes: [3]) { HeadInput = LstmHeadInput.LastMeanMax };
        int seed = 7;
        foreach (var tensor in weights.Tensors())
        {
            new SplitMix64(seed++).FillUniform(tensor, 0.5f);
        }
        int[] rows = [.. Enumerable.Range(0, 16)];
        using var step = new ShardedStep(weights, ClassificationObjective.Instance, augmentation: new BatchAugmentation(0.5f, 0.5f, 0.5f));

        double validation = step.MeanLoss(set, rows, batchSize: 16);

        Assert.AreEqual(new LstmNetwork(weights, ClassificationObjective.Instance).Loss(set.Batch(rows)), validation, 1e-12);
    }

    [TestMethod]
    public void AugmentedTrainingGivesBitIdenticalModelsRunToRun()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, TestData.SineOrSquare(40, 20, seed: 2), 20);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 16, Epochs = 2, AugmentJitter = 0.03f, AugmentScaling = 0.1f, AugmentSlice = 0.1f,
        };
        var plain = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 16, Epochs = 2 };

        using var first = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var second = ml.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var unaugmented = ml.Transforms.LstmFeaturizeSequence(plain).Fit(data);

        CollectionAssert.AreEqual(first.Model.ToOnnxBytes(), second.Model.ToOnnxBytes());
        CollectionAssert.AreNotEqual(first.Model.ToOnnxBytes(), unaugmented.Model.ToOnnxBytes());
    }

    [TestMethod]
    public void SlicingIsRefusedForReconstructionWhoseHeadOutputsWholeRows()
    {
        var training = new LstmTrainingOptions { Objective = LstmObjective.Reconstruction, AugmentSlice = 0.2f };

        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.LstmFeaturizeSequence(training));

        Assert.AreEqual("LstmTrainingOptions.AugmentSlice: the Reconstruction objective's head outputs every step of a whole row, so its rows cannot be sliced; expected 0, found 0.2. (Parameter 'AugmentSlice')", e.Message);
    }

    [TestMethod]
    [DataRow(nameof(LstmTrainingOptions.AugmentJitter), -0.1f, "expected a finite standard deviation of at least 0, found -0.1")]
    [DataRow(nameof(LstmTrainingOptions.AugmentScaling), float.NaN, "expected a finite standard deviation of at least 0, found NaN")]
    [DataRow(nameof(LstmTrainingOptions.AugmentScaling), float.PositiveInfinity, "expected a finite standard deviation of at least 0, found Infinity")]
    [DataRow(nameof(LstmTrainingOptions.AugmentSlice), 1f, "expected a share of the steps from 0 up to (not including) 1, found 1")]
    [DataRow(nameof(LstmTrainingOptions.AugmentSlice), -0.5f, "expected a share of the steps from 0 up to (not including) 1, found -0.5")]
    public void AnAugmentationOutOfRangeIsRefusedNamingIt(string option, float value, string why)
    {
        var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" };
        typeof(LstmTrainingOptions).GetProperty(option)!.SetValue(training, value);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.LstmFeaturizeSequence(training));

        Assert.AreEqual($"LstmTrainingOptions.{option}: {why}. (Parameter '{option}')", e.Message);
    }
}

using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Lstm.MLNetInternals;

namespace MLNet.Lstm.Training;

/// <summary>
/// Trains an LSTM on the rows of an IDataView: epochs of shuffled mini-batches, Adam, optional
/// clipping, a held-out validation share with early stopping (the best epoch's weights win),
/// one log line and one progress report per epoch, and ML.NET's cancellation between batches.
/// </summary>
internal static class LstmTrainer
{
    public static LstmModel Train(IHostEnvironment env, IDataView data, LstmTrainingOptions training, LstmFeaturizerOptions featurizer)
    {
        int inputSize = training.InputSizeFor(featurizer, data.Schema);
        var set = TrainingSet.Read(data, featurizer, training, inputSize);
        var weights = InitialWeights(training, inputSize, set.OutputSize);
        var (trainRows, validationRows) = Split(set.Count, training);
        var step = new ShardedStep(weights, training.Objective);
        var optimizer = new AdamOptimizer(weights, training.LearningRate);
        var shuffle = new Random(training.Seed);

        using var channel = new TrainingChannel(env);
        channel.Info($"LSTM training: {training.Objective}, {trainRows.Length} training and {validationRows.Length} validation sequences, " +
            $"{weights.NumLayers} layer(s) of {weights.HiddenSize}{(weights.Bidirectional ? " × 2 directions" : "")}, output {weights.OutputSize}");
        var clock = Stopwatch.StartNew();
        double best = double.PositiveInfinity;
        LstmWeights? bestWeights = null;
        int sinceBest = 0;
        for (int epoch = 1; epoch <= training.Epochs; epoch++)
        {
            if (training.Shuffle)
            {
                shuffle.Shuffle(trainRows);
            }
            double lossSum = 0;
            int seen = 0;
            foreach (var rows in set.Batches(trainRows, training.BatchSize))
            {
                training.CancellationToken.ThrowIfCancellationRequested();
                channel.ThrowIfCancelled();
                lossSum += step.LossAndGradients(set, rows) * rows.Length;
                seen += rows.Length;
                optimizer.Step(step.Gradients, training.GradientClipNorm);
                step.ParametersChanged();
            }
            double loss = lossSum / seen;
            double? validation = validationRows.Length > 0 ? step.MeanLoss(set, validationRows, training.BatchSize) : null;
            var progress = new LstmTrainingProgress(epoch, loss, validation, clock.Elapsed);
            channel.Info($"LSTM training epoch {epoch}/{training.Epochs}: loss {loss:G6}" +
                (validation is double v ? $", validation loss {v:G6}" : "") + $", {clock.Elapsed.TotalSeconds:F1} s");
            training.Progress?.Report(progress);

            if (validation is double current && training.EarlyStoppingPatience is int patience)
            {
                if (current < best)
                {
                    best = current;
                    bestWeights = weights.Clone();
                    sinceBest = 0;
                }
                else if (++sinceBest >= patience)
                {
                    channel.Info($"LSTM training: early stop after epoch {epoch}; keeping epoch {epoch - sinceBest} (validation loss {best:G6})");
                    break;
                }
            }
        }
        return LstmModel.FromWeights(bestWeights ?? weights);
    }

    private static (int[] Train, int[] Validation) Split(int count, LstmTrainingOptions training)
    {
        var rows = Enumerable.Range(0, count).ToArray();
        int validation = (int)Math.Round(count * training.ValidationFraction);
        if (validation == 0)
        {
            return (rows, []);
        }
        new Random(training.Seed).Shuffle(rows);
        return (rows[validation..], rows[..validation]);
    }

    /// <summary>The initial model's weights (its head kept when it fits, else drawn anew), or PyTorch's default initialisation.</summary>
    private static LstmWeights InitialWeights(LstmTrainingOptions training, int inputSize, int outputSize)
    {
        if (training.InitialModel is not { } initial)
        {
            var weights = LstmModel.CreateRandom(inputSize, training.HiddenSize, training.NumLayers, outputSize, training.Bidirectional, training.Seed).GetWeights();
            for (int layer = 0; layer < weights.NumLayers; layer++)
            {
                for (int d = 0; d < weights.NumDirections; d++)
                {
                    // PyTorch stacks the gates i, f, g, o: the forget gate's bias is the second block.
                    var bias = weights.GetCell(layer, d).BiasIh.AsSpan(weights.HiddenSize, weights.HiddenSize);
                    System.Numerics.Tensors.TensorPrimitives.Add(bias, training.ForgetGateBias, bias);
                }
            }
            return weights;
        }
        var fresh = LstmModel.CreateRandom(inputSize, initial.HiddenSize, initial.NumLayers, outputSize, initial.Bidirectional, training.Seed).GetWeights();
        LstmWeights pretrained;
        try
        {
            pretrained = initial.OutputSize == outputSize ? initial.GetWeights() : initial.GetLstmWeights();
        }
        catch (NotSupportedException)
        {
            pretrained = initial.GetLstmWeights();
        }
        // Tensors come LSTM first, head last: a pretrained set without a head keeps the fresh head.
        foreach (var (from, to) in pretrained.Tensors().Zip(fresh.Tensors()))
        {
            from.CopyTo(to, 0);
        }
        return fresh;
    }
}

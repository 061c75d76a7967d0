using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Lstm.MLNetInternals;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Training;

/// <summary>
/// Trains an LSTM on the rows of an IDataView: input standardization and pooling learned from
/// the rows, epochs of shuffled mini-batches, AdamW with a learning-rate schedule, optional
/// clipping, a held-out (stratified) validation share with early stopping (the best epoch's
/// weights win), one log line and one progress report per epoch, and ML.NET's cancellation
/// between batches.
/// </summary>
internal static class LstmTrainer
{
    public static LstmModel Train(IHostEnvironment env, IDataView data, LstmTrainingOptions training, LstmFeaturizerOptions featurizer)
    {
        int inputSize = training.InputSizeFor(featurizer, data.Schema);
        var objective = TrainingObjective.For(training.Objective);
        var set = TrainingSet.Read(data, featurizer, training, inputSize);
        int members = training.Members;
        var weights = InitialWeights(training, objective, set, members);
        var ensemble = new EnsembleLayout(weights, members);
        ensemble.Mask(weights);
        set.Preprocess(weights);
        var (trainRows, validationRows) = Split(set, training);
        if (trainRows.Length < LstmDefaults.MinTrainingRows)
        {
            throw validationRows.Length == 0
                ? LstmThrow.TooFewRows(set.Count)
                : LstmThrow.TooFewTrainingRows(set.Count, validationRows.Length, training.ValidationFraction ?? LstmDefaults.ValidationFraction);
        }
        int epochs = training.Epochs ?? LstmDefaults.Epochs(trainRows.Length, training.BatchSize);
        long plannedSteps = (long)epochs * set.Batches(trainRows, training.BatchSize).Count();
        using var step = new ShardedStep(weights, objective, training.Dropout, training.Seed, members);
        var optimizer = new AdamOptimizer(weights, training.LearningRate, training.WeightDecay);
        var shuffle = new Random(training.Seed);

        using var channel = new TrainingChannel(env);
        channel.Info($"LSTM training: {training.Objective}, {trainRows.Length} training and {validationRows.Length} validation sequences, " +
            $"{members} member(s) of {weights.NumLayers} layer(s) of {weights.HiddenSize / members}{(weights.Bidirectional ? " × 2 directions" : "")}, output {set.OutputSize}, " +
            $"{epochs} epochs, steps pooled by {weights.PoolingStride}");
        var clock = Stopwatch.StartNew();
        double best = double.PositiveInfinity;
        LstmWeights? bestWeights = null;
        int sinceBest = 0;
        long stepsTaken = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            if (training.Shuffle)
            {
                shuffle.Shuffle(trainRows);
            }
            double lossSum = 0;
            int seen = 0, batch = 0;
            foreach (var rows in set.Batches(trainRows, training.BatchSize))
            {
                training.CancellationToken.ThrowIfCancellationRequested();
                channel.ThrowIfCancelled();
                batch++;
                double batchLoss = step.LossAndGradients(set, rows);
                DivergenceCheck.Loss(batchLoss, step.Gradients, epoch, batch, training.LearningRate);
                lossSum += batchLoss * rows.Length;
                seen += rows.Length;
                long optimizing = TrainingProfile.Start();
                ensemble.Mask(step.Gradients);
                optimizer.LearningRate = LearningRate(training, stepsTaken++, plannedSteps);
                optimizer.Step(step.Gradients, training.GradientClipNorm);
                DivergenceCheck.Parameters(weights, epoch, batch, training.LearningRate);
                TrainingProfile.Stop(TrainingProfile.Phase.OptimizerStep, optimizing);
                step.ParametersChanged();
            }
            double loss = lossSum / seen;
            double? validation = validationRows.Length > 0 ? step.MeanLoss(set, validationRows, training.BatchSize) : null;
            var progress = new LstmTrainingProgress(epoch, loss, validation, clock.Elapsed);
            channel.Info($"LSTM training epoch {epoch}/{epochs}: loss {loss:G6}" +
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
        return LstmModel.FromWeights(ensemble.Averaged(bestWeights ?? weights));
    }

    /// <summary>The rate for step <paramref name="step"/> (from 0) of <paramref name="plannedSteps"/>.</summary>
    private static float LearningRate(LstmTrainingOptions training, long step, long plannedSteps) => training.LearningRateSchedule switch
    {
        LstmLearningRateSchedule.Cosine => (float)(training.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / plannedSteps))),
        _ => training.LearningRate,
    };

    /// <summary>
    /// The validation rows: <see cref="LstmTrainingOptions.ValidationFraction"/> of them (by default
    /// a tenth from <see cref="LstmDefaults.ValidationMinRows"/> rows up), drawn per class for
    /// classification so that every class keeps its share on both sides.
    /// </summary>
    private static (int[] Train, int[] Validation) Split(TrainingSet set, LstmTrainingOptions training)
    {
        int count = set.Count;
        double fraction = training.ValidationFraction ?? (count >= LstmDefaults.ValidationMinRows ? LstmDefaults.ValidationFraction : 0);
        var random = new Random(training.Seed);
        var groups = set.Classes.Count == count
            ? Enumerable.Range(0, count).GroupBy(row => set.Classes[row]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList()
            : [Enumerable.Range(0, count).ToArray()];
        var train = new List<int>(count);
        var validation = new List<int>();
        foreach (var rows in groups)
        {
            int held = (int)Math.Round(rows.Length * fraction);
            if (held > 0)
            {
                random.Shuffle(rows);
            }
            validation.AddRange(rows[..held]);
            train.AddRange(rows[held..]);
        }
        train.Sort();
        return ([.. train], [.. validation]);
    }

    /// <summary>
    /// The initial model's weights (its head kept when it fits, else drawn anew; its preprocessing
    /// kept), or PyTorch's default initialisation with the preprocessing learned from the rows.
    /// </summary>
    private static LstmWeights InitialWeights(LstmTrainingOptions training, TrainingObjective objective, TrainingSet set, int members)
    {
        int inputSize = set.InputSize, outputSize = set.OutputSize;
        if (training.InitialModel is not { } initial)
        {
            var weights = LstmModel.CreateRandom(inputSize, training.HiddenSize, training.NumLayers, checked(members * outputSize),
                training.Bidirectional, training.Seed).GetWeights();
            if (members > 1)
            {
                // CreateRandom drew within ±1/√H; each member is an LSTM of H/K units: ±1/√(H/K).
                foreach (var tensor in weights.Tensors().Take(4 * weights.NumLayers * weights.NumDirections))
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(tensor, MathF.Sqrt(members), tensor);
                }
            }
            weights.HeadInput = objective.HeadInput(training);
            if (outputSize > 0)
            {
                // PyTorch's nn.Linear bound for the width one member's head reads.
                new SplitMix64(training.Seed ^ 0x5EED).FillUniform(weights.HeadWeight, 1f / MathF.Sqrt(weights.HeadInputWidth / members));
            }
            for (int layer = 0; layer < weights.NumLayers; layer++)
            {
                for (int d = 0; d < weights.NumDirections; d++)
                {
                    // PyTorch stacks the gates i, f, g, o: the forget gate's bias is the second block.
                    var bias = weights.GetCell(layer, d).BiasIh.AsSpan(weights.HiddenSize, weights.HiddenSize);
                    System.Numerics.Tensors.TensorPrimitives.Add(bias, training.ForgetGateBias, bias);
                }
            }
            if (training.Standardize)
            {
                (weights.InputOffset, weights.InputScale) = set.Standardization();
            }
            if (training.MaxSteps is int maxSteps)
            {
                int median = set.MedianSteps();
                weights.PoolingStride = Math.Max(1, (median + maxSteps - 1) / maxSteps);
            }
            return weights;
        }
        // A head of another form or size is drawn anew; anything the weights cannot carry is refused.
        bool keepHead = initial.OutputSize == outputSize && initial.HasOneGemmHead;
        var pretrained = keepHead ? initial.GetWeights() : initial.GetLstmWeights();
        var fresh = LstmModel.CreateRandom(inputSize, initial.HiddenSize, initial.NumLayers, outputSize, initial.Bidirectional, training.Seed).GetWeights();
        fresh.HeadInput = keepHead ? pretrained.HeadInput : objective.HeadInput(training);
        if (!keepHead && outputSize > 0)
        {
            new SplitMix64(training.Seed ^ 0x5EED).FillUniform(fresh.HeadWeight, 1f / MathF.Sqrt(fresh.HeadInputWidth));
        }
        fresh.InputOffset = pretrained.InputOffset;
        fresh.InputScale = pretrained.InputScale;
        fresh.PoolingStride = pretrained.PoolingStride;
        // Tensors come LSTM first, head last: a pretrained set without a head keeps the fresh head.
        foreach (var (from, to) in pretrained.Tensors().Zip(fresh.Tensors()))
        {
            from.CopyTo(to, 0);
        }
        return fresh;
    }
}

using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// One gradient step's forward and backward pass spread over the cores: the batch's rows are
/// cut into contiguous shards, each run by its own <see cref="LstmNetwork"/> into its own
/// gradient buffer, and the shards' gradients are then added in shard order. The order is
/// fixed, so results are bit-identical from run to run on machines with the same core count.
/// </summary>
internal sealed class ShardedStep : IDisposable
{
    private readonly LstmNetwork[] _networks;
    private readonly LstmWeights[] _shardGradients;
    private readonly double[] _losses;
    private readonly ShardWorkers _workers;
    private readonly TrainingProfile? _profile;
    private readonly BatchAugmentation? _augmentation;

    private readonly ulong _seed;
    private ulong _steps;

    public ShardedStep(LstmWeights weights, Objectives.TrainingObjective objective, float dropout = 0f, int seed = 0, int members = 1, TrainingProfile? profile = null,
        BatchAugmentation? augmentation = null)
    {
        _augmentation = augmentation is { IsNone: false } ? augmentation : null;
        _profile = profile;
        int shards = Math.Clamp(Environment.ProcessorCount, 1, 8);
        _seed = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL);
        _networks = [.. Enumerable.Range(0, shards).Select(_ => new LstmNetwork(weights, objective, dropout, members, profile))];
        _shardGradients = [.. Enumerable.Range(0, shards).Select(_ => weights.ZerosLike())];
        _losses = new double[shards];
        _workers = new ShardWorkers(shards);
        Gradients = weights.ZerosLike();
    }

    /// <summary>d(mean loss)/d(parameter) of the last <see cref="LossAndGradients"/> call.</summary>
    public LstmWeights Gradients { get; }

    public void ParametersChanged()
    {
        long refresh = _profile?.Start() ?? 0;
        foreach (var network in _networks)
        {
            network.ParametersChanged();
        }
        _profile?.Stop(TrainingProfile.Phase.WeightRefresh, refresh);
    }

    /// <summary>The mean loss over <paramref name="rows"/> (all of one length), with its gradients in <see cref="Gradients"/>.</summary>
    public double LossAndGradients(TrainingSet set, int[] rows)
    {
        int shards = Math.Clamp(rows.Length / LstmDefaults.MinRowsPerShard, 1, _networks.Length);
        ulong step = _steps++;
        _workers.Run(shards, shard =>
        {
            var (start, count) = Slice(rows.Length, shards, shard);
            foreach (var tensor in _shardGradients[shard].Tensors())
            {
                Array.Clear(tensor);
            }
            long assembly = _profile?.Start() ?? 0;
            var batch = set.Batch(rows.AsSpan(start, count));
            _profile?.Stop(TrainingProfile.Phase.BatchAssembly, assembly);
            batch.DropoutSeed = new SplitMix64(unchecked((long)(_seed ^ (step << 8) ^ (ulong)shard))).Next();
            if (_augmentation is not null)
            {
                batch = _augmentation.Apply(batch, set.InputSize);
            }
            _losses[shard] = _networks[shard].LossAndGradients(batch, _shardGradients[shard], (float)count / rows.Length) * count;
        });
        long sum = _profile?.Start() ?? 0;
        var total = Gradients.Tensors().ToArray();
        for (int shard = 0; shard < shards; shard++)
        {
            int t = 0;
            foreach (var tensor in _shardGradients[shard].Tensors())
            {
                if (shard == 0)
                {
                    tensor.CopyTo(total[t], 0);
                }
                else
                {
                    TensorPrimitives.Add(total[t], tensor, total[t]);
                }
                t++;
            }
        }
        _profile?.Stop(TrainingProfile.Phase.ShardGradientSum, sum);
        double loss = 0;
        for (int shard = 0; shard < shards; shard++)
        {
            loss += _losses[shard];
        }
        return loss / rows.Length;
    }

    /// <summary>The mean loss over <paramref name="rows"/>, of any lengths, without gradients.</summary>
    public double MeanLoss(TrainingSet set, int[] rows, int batchSize)
    {
        double sum = 0;
        foreach (var group in set.Batches(rows, batchSize))
        {
            sum += _networks[0].Loss(set.Batch(group)) * group.Length;
        }
        return sum / rows.Length;
    }

    public void Dispose() => _workers.Dispose();

    private static (int Start, int Count) Slice(int rows, int shards, int shard)
    {
        int start = rows * shard / shards, end = rows * (shard + 1) / shards;
        return (start, end - start);
    }
}

namespace MLNet.Lstm.Training;

/// <summary>
/// Random changes to a training batch (never a validation one), drawn from the batch's own seed so
/// runs repeat: each row scaled by one factor around 1 (<see cref="LstmTrainingOptions.AugmentScaling"/>),
/// every value jittered (<see cref="LstmTrainingOptions.AugmentJitter"/>), and every row cut to one
/// shorter window at its own offset (<see cref="LstmTrainingOptions.AugmentSlice"/>), never shorter
/// than <paramref name="minimumSteps"/>, what the objective needs to learn anything from a row.
/// </summary>
internal sealed class BatchAugmentation(float jitter, float scaling, float slice, int minimumSteps = 1)
{
    public bool IsNone => jitter == 0 && scaling == 0 && slice == 0;

    /// <summary>The augmented batch: <paramref name="batch"/> itself, changed in place, or a shorter one when slicing.</summary>
    public TrainingBatch Apply(TrainingBatch batch, int features)
    {
        var random = new SplitMix64(unchecked((long)(batch.DropoutSeed ^ 0xA5A5_5A5A_C3C3_3C3CUL)));
        if (slice > 0)
        {
            batch = Slice(batch, features, ref random);
        }
        int n = batch.Count;
        if (scaling > 0)
        {
            Span<float> factors = n <= 256 ? stackalloc float[n] : new float[n];
            for (int r = 0; r < n; r++)
            {
                factors[r] = 1f + scaling * Gaussian(ref random);
            }
            Scale(batch.Inputs.AsSpan(0, batch.Steps * n * features), factors, features, timeMajor: true, batch.Steps);
            Scale(batch.ConvInputs.AsSpan(0, batch.ConvSteps * n * features), factors, features, timeMajor: false, batch.ConvSteps);
        }
        if (jitter > 0)
        {
            Jitter(batch.Inputs.AsSpan(0, batch.Steps * n * features), ref random);
            Jitter(batch.ConvInputs.AsSpan(0, batch.ConvSteps * n * features), ref random);
        }
        return batch;
    }

    private void Jitter(Span<float> values, ref SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] += jitter * Gaussian(ref random);
        }
    }

    private static void Scale(Span<float> values, ReadOnlySpan<float> factors, int features, bool timeMajor, int steps)
    {
        int n = factors.Length;
        for (int t = 0; t < steps; t++)
        {
            for (int r = 0; r < n; r++)
            {
                int at = timeMajor ? (t * n + r) * features : (r * steps + t) * features;
                for (int f = 0; f < features; f++)
                {
                    values[at + f] *= factors[r];
                }
            }
        }
    }

    private TrainingBatch Slice(TrainingBatch batch, int features, ref SplitMix64 random)
    {
        int n = batch.Count, steps = batch.Steps, convSteps = batch.ConvSteps;
        int kept = Kept(steps, minimumSteps), convKept = Kept(convSteps, 1);
        if (kept == steps && convKept == convSteps)
        {
            return batch;
        }
        var sliced = new TrainingBatch
        {
            Count = n,
            Steps = kept,
            Inputs = new float[kept * n * features],
            ConvSteps = convKept,
            ConvInputs = new float[convKept * n * features],
            Classes = batch.Classes,
            Targets = batch.Targets,
            DropoutSeed = batch.DropoutSeed,
        };
        for (int r = 0; r < n; r++)
        {
            double at = (random.Next() >> 11) * (1.0 / (1UL << 53));
            int start = (int)(at * (steps - kept + 1));
            for (int t = 0; t < kept; t++)
            {
                batch.Inputs.AsSpan(((start + t) * n + r) * features, features).CopyTo(sliced.Inputs.AsSpan((t * n + r) * features));
            }
            // The branch's window starts at the LSTM's first step, read at the branch's scale; when the
            // LSTM's steps cannot shrink, the same draw places it.
            int convStart = kept < steps
                ? Math.Min((int)((long)start * convSteps / steps), convSteps - convKept)
                : (int)(at * (convSteps - convKept + 1));
            batch.ConvInputs.AsSpan((r * convSteps + convStart) * features, convKept * features).CopyTo(sliced.ConvInputs.AsSpan(r * convKept * features));
        }
        return sliced;
    }

    private int Kept(int steps, int atLeast) => Math.Min(steps, Math.Max(atLeast, (int)MathF.Round((1 - slice) * steps)));

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static float Gaussian(ref SplitMix64 random)
    {
        double u1 = ((random.Next() >> 11) + 1.0) * (1.0 / ((1UL << 53) + 1.0));
        double u2 = (random.Next() >> 11) * (1.0 / (1UL << 53));
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}

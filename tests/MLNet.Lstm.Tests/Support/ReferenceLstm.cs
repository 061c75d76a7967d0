namespace MLNet.Lstm.Tests.Support;

/// <summary>
/// PyTorch's nn.LSTM written out from its documented equations, in double precision, one
/// sequence at a time, with the gates in PyTorch's order (i, f, g, o):
///   i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(W_if x + b_if + W_hf h + b_hf)
///   g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
///   c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
/// It shares no code with the library, so agreement proves the ONNX gate reordering. The input
/// is first standardized ((x − offset) · scale) and averaged over windows of PoolingStride steps
/// (the last window over the steps it holds), as the weights say.
/// </summary>
internal sealed class ReferenceLstm(LstmWeights weights)
{
    /// <summary>Every representation of one sequence [T][F].</summary>
    public ReferenceResult Run(float[][] rawSequence)
    {
        var sequence = Preprocess(rawSequence);
        int steps = sequence.Length;
        int hidden = weights.HiddenSize;
        int directions = weights.NumDirections;
        var layerInput = sequence;
        var finalHidden = new List<double>();
        double[] topHidden = [], topCell = [];
        for (int layer = 0; layer < weights.NumLayers; layer++)
        {
            var outputs = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                outputs[t] = new double[directions * hidden];
            }
            topHidden = new double[directions * hidden];
            topCell = new double[directions * hidden];
            for (int d = 0; d < directions; d++)
            {
                var cell = weights.GetCell(layer, d);
                var h = new double[hidden];
                var c = new double[hidden];
                for (int k = 0; k < steps; k++)
                {
                    int t = d == 0 ? k : steps - 1 - k;
                    (h, c) = Step(cell, layerInput[t], h, c);
                    Array.Copy(h, 0, outputs[t], d * hidden, hidden);
                }
                Array.Copy(h, 0, topHidden, d * hidden, hidden);
                Array.Copy(c, 0, topCell, d * hidden, hidden);
            }
            finalHidden.AddRange(topHidden);
            layerInput = outputs;
        }

        int width = directions * hidden;
        var mean = Enumerable.Range(0, width).Select(k => layerInput.Average(step => step[k])).ToArray();
        var max = Enumerable.Range(0, width).Select(k => layerInput.Max(step => step[k])).ToArray();
        double[] lastMeanMax = [.. topHidden, .. mean, .. max];
        double[] head = [];
        if (weights.OutputSize > 0)
        {
            var last = weights.HeadInput == LstmHeadInput.LastMeanMax ? lastMeanMax : layerInput[steps - 1];
            head = new double[weights.OutputSize];
            for (int o = 0; o < head.Length; o++)
            {
                double sum = weights.HeadBias![o];
                for (int k = 0; k < last.Length; k++)
                {
                    sum += weights.HeadWeight![o * last.Length + k] * last[k];
                }
                head[o] = sum;
            }
        }
        return new ReferenceResult(topHidden, [.. finalHidden], topCell, mean, max, head, NextStepError(layerInput, sequence), lastMeanMax);
    }

    /// <summary>What the LSTM reads: each step standardized, then the mean of every PoolingStride steps.</summary>
    public double[][] Preprocess(float[][] sequence)
    {
        int features = weights.InputSize, stride = weights.PoolingStride;
        var scaled = sequence.Select(x => x.Select((v, f) =>
            (v - (double)(weights.InputOffset?[f] ?? 0)) * (weights.InputScale?[f] ?? 1)).ToArray()).ToArray();
        var pooled = new double[(scaled.Length + stride - 1) / stride][];
        for (int p = 0; p < pooled.Length; p++)
        {
            var window = scaled.Skip(p * stride).Take(stride).ToArray();
            pooled[p] = Enumerable.Range(0, features).Select(f => window.Average(x => x[f])).ToArray();
        }
        return pooled;
    }

    /// <summary>Mean over t &lt; T−1 and features of (head(out_t) − x_(t+1))²; NaN when the head does not forecast the input.</summary>
    private double[] NextStepError(double[][] outputs, double[][] sequence)
    {
        int features = weights.InputSize;
        if (weights.OutputSize != features || weights.Bidirectional)
        {
            return [double.NaN];
        }
        double sum = 0;
        for (int t = 0; t + 1 < outputs.Length; t++)
        {
            for (int f = 0; f < features; f++)
            {
                double forecast = weights.HeadBias![f];
                for (int k = 0; k < outputs[t].Length; k++)
                {
                    forecast += weights.HeadWeight![f * outputs[t].Length + k] * outputs[t][k];
                }
                double error = forecast - sequence[t + 1][f];
                sum += error * error;
            }
        }
        return [sum / ((outputs.Length - 1) * features)];
    }

    private static (double[] H, double[] C) Step(LstmCellWeights cell, double[] x, double[] h, double[] c)
    {
        int hidden = cell.HiddenSize;
        var gates = new double[4 * hidden];
        for (int row = 0; row < 4 * hidden; row++)
        {
            double sum = cell.BiasIh[row] + cell.BiasHh[row];
            for (int k = 0; k < cell.InputSize; k++)
            {
                sum += cell.WeightIh[row * cell.InputSize + k] * x[k];
            }
            for (int k = 0; k < hidden; k++)
            {
                sum += cell.WeightHh[row * hidden + k] * h[k];
            }
            gates[row] = sum;
        }
        var newH = new double[hidden];
        var newC = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double i = Sigmoid(gates[j]);
            double f = Sigmoid(gates[hidden + j]);
            double g = Math.Tanh(gates[2 * hidden + j]);
            double o = Sigmoid(gates[3 * hidden + j]);
            newC[j] = f * c[j] + i * g;
            newH[j] = o * Math.Tanh(newC[j]);
        }
        return (newH, newC);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}

internal sealed record ReferenceResult(double[] LastHidden, double[] LastHiddenAllLayers, double[] LastCell,
    double[] MeanHidden, double[] MaxHidden, double[] ModelOutput, double[] NextStepError, double[] LastMeanMax)
{
    public double[] Get(LstmRepresentation representation) => representation switch
    {
        LstmRepresentation.LastHidden => LastHidden,
        LstmRepresentation.LastHiddenAllLayers => LastHiddenAllLayers,
        LstmRepresentation.LastCell => LastCell,
        LstmRepresentation.MeanHidden => MeanHidden,
        LstmRepresentation.MaxHidden => MaxHidden,
        LstmRepresentation.ModelOutput => ModelOutput,
        LstmRepresentation.NextStepError => NextStepError,
        LstmRepresentation.LastMeanMax => LastMeanMax,
        _ => throw new ArgumentOutOfRangeException(nameof(representation)),
    };
}

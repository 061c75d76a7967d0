using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// Adam as PyTorch's torch.optim.Adam computes it (betas 0.9/0.999, eps 1e-8), in the same
/// operation order so that runs match PyTorch's to float rounding; with a weight decay, AdamW's
/// decoupled decay (p ← p − lr·λ·p before the step, as torch.optim.AdamW); optional gradient
/// clipping by global norm as torch.nn.utils.clip_grad_norm_.
/// </summary>
internal sealed class AdamOptimizer(LstmWeights parameters, float learningRate, float weightDecay = 0f)
{
    private const float Beta1 = LstmDefaults.AdamBeta1, Beta2 = LstmDefaults.AdamBeta2, Epsilon = LstmDefaults.AdamEpsilon;
    private readonly float[][] _parameters = [.. parameters.Tensors()];
    private readonly float[][] _firstMoment = [.. parameters.ZerosLike().Tensors()];
    private readonly float[][] _secondMoment = [.. parameters.ZerosLike().Tensors()];
    private float[] _scratch = [];
    private int _step;

    /// <summary>The rate of the next step; a schedule changes it between steps.</summary>
    public float LearningRate { get; set; } = learningRate;

    public void Step(LstmWeights gradients, float? clipNorm)
    {
        var grads = gradients.Tensors().ToArray();
        if (clipNorm is float maxNorm)
        {
            double squares = 0;
            foreach (var g in grads)
            {
                squares += TensorPrimitives.Dot(g, g);
            }
            float norm = (float)Math.Sqrt(squares);
            float factor = maxNorm / (norm + 1e-6f);
            if (factor < 1f)
            {
                foreach (var g in grads)
                {
                    TensorPrimitives.Multiply(g, factor, g);
                }
            }
        }

        _step++;
        float correction1 = 1 - MathF.Pow(Beta1, _step);
        float correction2Sqrt = MathF.Sqrt(1 - MathF.Pow(Beta2, _step));
        float stepSize = LearningRate / correction1;
        float decay = 1f - LearningRate * weightDecay;
        for (int p = 0; p < _parameters.Length; p++)
        {
            if (weightDecay != 0)
            {
                TensorPrimitives.Multiply(_parameters[p], decay, _parameters[p]);
            }
            var g = grads[p];
            var m = _firstMoment[p];
            var v = _secondMoment[p];
            if (_scratch.Length < g.Length)
            {
                _scratch = new float[g.Length];
            }
            var denominator = _scratch.AsSpan(0, g.Length);
            // m = β1·m + (1−β1)·g ;  v = β2·v + (1−β2)·g²
            TensorPrimitives.Lerp(m, g, 1 - Beta1, m);
            TensorPrimitives.Multiply(v, Beta2, v);
            TensorPrimitives.Multiply(g, g, denominator);
            TensorPrimitives.MultiplyAdd(denominator, 1 - Beta2, v, v);
            // p −= stepSize · m / (√v / √(1−β2ᵗ) + ε)
            TensorPrimitives.Sqrt(v, denominator);
            TensorPrimitives.Divide(denominator, correction2Sqrt, denominator);
            TensorPrimitives.Add(denominator, Epsilon, denominator);
            TensorPrimitives.Divide(m, denominator, denominator);
            TensorPrimitives.MultiplyAdd(denominator, -stepSize, _parameters[p], _parameters[p]);
        }
    }
}

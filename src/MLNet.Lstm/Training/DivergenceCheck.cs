namespace MLNet.Lstm.Training;

/// <summary>
/// Stops training at the first NaN or infinity in the loss, the gradients or the parameters.
/// Adam carries on through them without a word, and the exported model's saturated gates would
/// then give finite-looking features (all 1.0) from a model that learned nothing.
/// </summary>
internal static class DivergenceCheck
{
    public static void Loss(double loss, LstmWeights gradients, int epoch, int batch, float learningRate)
    {
        if (!double.IsFinite(loss))
        {
            throw LstmThrow.TrainingDiverged(epoch, batch, "the loss", learningRate);
        }
        if (!AllFinite(gradients))
        {
            throw LstmThrow.TrainingDiverged(epoch, batch, "a gradient", learningRate);
        }
    }

    public static void Parameters(LstmWeights weights, int epoch, int batch, float learningRate)
    {
        if (!AllFinite(weights))
        {
            throw LstmThrow.TrainingDiverged(epoch, batch, "a parameter", learningRate);
        }
    }

    private static bool AllFinite(LstmWeights weights)
    {
        foreach (var tensor in weights.Tensors())
        {
            if (FiniteValues.FirstNonFinite(tensor) >= 0)
            {
                return false;
            }
        }
        return true;
    }
}

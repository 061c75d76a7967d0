using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Lstm;

[assembly: LoadableClass(typeof(LstmAnomalyPredictionTransformer), null, typeof(SignatureLoadModel),
    "LSTM Anomaly Detector", LstmAnomalyPredictionTransformer.LoaderSignature)]

namespace MLNet.Lstm;

/// <summary>
/// model.zip support, as <see cref="LstmFeaturizerTransformer"/>'s: the featurizer that computes
/// the next-step error is saved as a model of its own inside this one (as ML.NET's
/// <c>TransformerChain</c> saves its transformers), with its ONNX graph and checksum; the
/// calibration and threshold follow.
/// </summary>
public sealed partial class LstmAnomalyPredictionTransformer
{
    internal const string LoaderSignature = "MLNetLstmAnomalyDetector";
    private const string FeaturizerModelName = "NextStepErrorFeaturizer";

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "LSTMANOM",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LstmAnomalyPredictionTransformer).Assembly.FullName);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveModel(_featurizer, FeaturizerModelName);
        ctx.Writer.Write(_calibration.Center);
        ctx.Writer.Write(_calibration.Scale);
        ctx.Writer.Write(Threshold);
    }

    // Found by ML.NET's ComponentCatalog through the LoadableClass attribute above.
    private static LstmAnomalyPredictionTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        ctx.LoadModel<LstmFeaturizerTransformer, SignatureLoadModel>(env, out var featurizer, FeaturizerModelName);
        try
        {
            double center = ctx.Reader.ReadDouble();
            double scale = ctx.Reader.ReadDouble();
            float threshold = ctx.Reader.ReadSingle();
            env.CheckDecode(double.IsFinite(center) && scale >= 0 && double.IsFinite(scale), "The saved LSTM anomaly detector's calibration is not finite.");
            env.CheckDecode(threshold >= 0 && threshold <= 1, "The saved LSTM anomaly detector's threshold is outside [0, 1].");
            return new LstmAnomalyPredictionTransformer(env, featurizer, new NextStepErrorCalibration(center, scale), threshold);
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }
}

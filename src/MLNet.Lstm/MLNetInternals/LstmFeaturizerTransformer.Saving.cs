using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using MLNet.Lstm;

[assembly: LoadableClass(typeof(LstmFeaturizerTransformer), null, typeof(SignatureLoadModel),
    "LSTM Featurizer", LstmFeaturizerTransformer.LoaderSignature)]

namespace MLNet.Lstm;

/// <summary>
/// model.zip support. ML.NET's save/load API (ModelSaveContext, ModelLoadContext, VersionInfo,
/// LoadableClass) is internal; this file is the only one that uses it for saving.
/// </summary>
public sealed partial class LstmFeaturizerTransformer
{
    internal const string LoaderSignature = "MLNetLstmFeaturizer";
    private const string OnnxStreamName = "LstmModel.onnx";

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "LSTMFEAT",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LstmFeaturizerTransformer).Assembly.FullName);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        byte[] onnx = Model.ToOnnxBytes();
        ctx.SaveBinaryStream(OnnxStreamName, w => w.WriteByteArray(onnx));
        // ONNX has no checksum of its own: a flipped weight byte would load as a different model.
        ctx.Writer.WriteByteArray(SHA256.HashData(onnx));
        ctx.SaveNonEmptyString(_options.OutputColumnName);
        ctx.Writer.Write(_options.InputColumnNames.Length);
        foreach (var name in _options.InputColumnNames)
        {
            ctx.SaveNonEmptyString(name);
        }
        ctx.Writer.Write((int)_options.Representation);
        ctx.Writer.Write(_options.BatchSize);
        ctx.Writer.Write(_options.SequenceLengthColumnName ?? "");
    }

    // Found by ML.NET's ComponentCatalog through the LoadableClass attribute above.
    private static LstmFeaturizerTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        byte[]? onnx = null;
        if (!ctx.TryLoadBinaryStream(OnnxStreamName, r => onnx = r.ReadByteArray()) || onnx is null)
        {
            throw env.ExceptDecode($"The saved LSTM featurizer has no '{OnnxStreamName}' stream.");
        }
        byte[] checksum = ctx.Reader.ReadByteArray();
        if (!SHA256.HashData(onnx).AsSpan().SequenceEqual(checksum))
        {
            throw LstmThrow.ModelZipDamaged();
        }
        string output = ctx.LoadNonEmptyString();
        int inputCount = ctx.Reader.ReadInt32();
        env.CheckDecode(inputCount > 0, "The saved LSTM featurizer names no input column.");
        var inputs = new string[inputCount];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = ctx.LoadNonEmptyString();
        }
        var representation = (LstmRepresentation)ctx.Reader.ReadInt32();
        int batchSize = ctx.Reader.ReadInt32();
        string lengthColumn = ctx.Reader.ReadString();
        using var stream = new MemoryStream(onnx);
        var options = new LstmFeaturizerOptions
        {
            OutputColumnName = output,
            InputColumnNames = inputs,
            Representation = representation,
            BatchSize = batchSize,
            SequenceLengthColumnName = lengthColumn,
        }.Validated();
        return new LstmFeaturizerTransformer(env, LstmModel.FromOnnx(stream), options);
    }
}

using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using MLNet.Lstm;
using MLNet.Lstm.Data;

[assembly: LoadableClass(typeof(LstmAnomalyTransformer), null, typeof(SignatureLoadModel),
    "LSTM Anomaly Detector", LstmAnomalyTransformer.LoaderSignature)]

namespace MLNet.Lstm;

/// <summary>
/// model.zip support (ML.NET's internal save/load API, as for the featurizer): the forecaster's
/// ONNX graph with its checksum, the engine's checkpoint after the history (which carries its
/// own), the columns, the alert threshold, the engine's options and the history's last timestamp.
/// A model.zip of version 0x00010001 saved no <see cref="LstmTimeSeriesOptions.ErrorTail"/>: it loads
/// with null, and its checkpoint (format 3) keeps the normal tail its engine scored by. Before
/// 0x00010003 <see cref="LstmTimeSeriesOptions.AveragingWindow"/> could not be null: such a model.zip
/// loads with the window its engine scored by (1 by default then).
/// </summary>
public sealed partial class LstmAnomalyTransformer
{
    internal const string LoaderSignature = "MLNetLstmAnomaly";
    private const string OnnxStreamName = "LstmModel.onnx";

    // 0x00010002: LstmTimeSeriesOptions.ErrorTail follows NoveltyMemory.
    private const uint ErrorTailVersion = 0x00010002;
    // 0x00010003: LstmTimeSeriesOptions.AveragingWindow may be null (-1).
    private const uint WindowDefaultVersion = 0x00010003;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "LSTMSRAD",
        verWrittenCur: WindowDefaultVersion,
        verReadableCur: WindowDefaultVersion,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LstmAnomalyTransformer).Assembly.FullName);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        byte[] onnx = Model.ToOnnxBytes();
        ctx.SaveBinaryStream(OnnxStreamName, w => w.WriteByteArray(onnx));
        ctx.Writer.WriteByteArray(SHA256.HashData(onnx));
        ctx.Writer.WriteByteArray(_checkpoint);
        ctx.SaveNonEmptyString(_columns.Output);
        ctx.Writer.Write(_columns.Inputs.Length);
        foreach (var name in _columns.Inputs)
        {
            ctx.SaveNonEmptyString(name);
        }
        ctx.Writer.Write(AlertThreshold);
        ctx.Writer.Write(_engineOptions.TrainingPoints);
        ctx.Writer.Write(_engineOptions.AveragingWindow ?? -1);
        ctx.Writer.Write(_engineOptions.HistoryLength);
        ctx.Writer.Write(_engineOptions.WarmUpPoints);
        ctx.Writer.Write(_engineOptions.ValueRangeTolerance ?? double.NaN);
        ctx.Writer.Write(_engineOptions.NoveltyMemory);
        ctx.Writer.Write(_engineOptions.ErrorTail is LstmErrorTail tail ? (int)tail : -1);
        ctx.Writer.Write(_engineOptions.IntraOpNumThreads ?? 0);
        ctx.Writer.Write(_columns.Timestamp ?? "");
        if (_columns.Timestamp is not null)
        {
            ctx.SaveNonEmptyString(_timestampType!.ToString()!);
            ctx.Writer.WriteByteArray(LastTimestamp!);
        }
    }

    // Found by ML.NET's ComponentCatalog through the LoadableClass attribute above.
    private static LstmAnomalyTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        byte[]? onnx = null;
        if (!ctx.TryLoadBinaryStream(OnnxStreamName, r => onnx = r.ReadByteArray()) || onnx is null)
        {
            throw env.ExceptDecode($"The saved LSTM anomaly detector has no '{OnnxStreamName}' stream.");
        }
        if (!SHA256.HashData(onnx).AsSpan().SequenceEqual(ctx.Reader.ReadByteArray()))
        {
            throw LstmThrow.AnomalyModelZipDamaged();
        }
        byte[] checkpoint = ctx.Reader.ReadByteArray();
        string output = ctx.LoadNonEmptyString();
        int inputCount = ctx.Reader.ReadInt32();
        env.CheckDecode(inputCount > 0, "The saved LSTM anomaly detector names no input column.");
        var inputs = new string[inputCount];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = ctx.LoadNonEmptyString();
        }
        float alertThreshold = ctx.Reader.ReadSingle();
        env.CheckDecode(alertThreshold > 0 && alertThreshold <= 1,
            $"The saved LSTM anomaly detector's alert threshold is {alertThreshold}; expected above 0 and at most 1.");
        env.CheckDecode(inputs.Distinct(StringComparer.Ordinal).Count() == inputs.Length,
            $"The saved LSTM anomaly detector names an input column twice ({string.Join(", ", inputs)}).");
        var engineOptions = new LstmTimeSeriesOptions
        {
            TrainingPoints = ctx.Reader.ReadInt64(),
            // -1 is null (from 0x00010003); any other value out of range is refused below, with the other options.
            AveragingWindow = ctx.Reader.ReadInt32() is var window && (window != -1 || ctx.Header.ModelVerWritten < WindowDefaultVersion) ? window : null,
            HistoryLength = ctx.Reader.ReadInt32(),
            WarmUpPoints = ctx.Reader.ReadInt32(),
            ValueRangeTolerance = ctx.Reader.ReadDouble() is var tolerance && !double.IsNaN(tolerance) ? tolerance : null,
            NoveltyMemory = ctx.Reader.ReadInt32(),
            // Before, no tail was saved: the checkpoint's own (format 3, the normal tail) scores.
            // -1 is null; any other value not a tail is refused below, with the other options.
            ErrorTail = ctx.Header.ModelVerWritten >= ErrorTailVersion && ctx.Reader.ReadInt32() is var tail and not -1 ? (LstmErrorTail)tail : null,
            IntraOpNumThreads = ctx.Reader.ReadInt32() is int threads and > 0 ? threads : null,
        };
        string timestamp = ctx.Reader.ReadString();
        DataViewType? timestampType = null;
        byte[]? lastTimestamp = null;
        if (timestamp.Length > 0)
        {
            string typeName = ctx.LoadNonEmptyString();
            timestampType = SeriesTimestamps.TypeNamed(typeName);
            lastTimestamp = ctx.Reader.ReadByteArray();
            env.CheckDecode(timestampType is not null && SeriesTimestamps.Fits(timestampType, lastTimestamp),
                $"The saved LSTM anomaly detector's timestamps are of type '{typeName}' with a last value of {lastTimestamp.Length} bytes; expected a DateTime or a number.");
        }
        try
        {
            LstmTimeSeriesEngine.CheckOptions(engineOptions);
        }
        catch (ArgumentException e)
        {
            throw env.ExceptDecode(e, $"The saved LSTM anomaly detector's scoring options are damaged: {e.Message}");
        }
        using var stream = new MemoryStream(onnx);
        var model = LstmModel.FromOnnx(stream);
        env.CheckDecode(inputs.Length == model.InputSize,
            $"The saved LSTM anomaly detector reads {inputs.Length} input column(s) into a model of {model.InputSize} features a point; expected as many.");
        var transformer = new LstmAnomalyTransformer(env, new AnomalyColumns(output, inputs, timestamp.Length > 0 ? timestamp : null), alertThreshold,
            model, engineOptions, checkpoint, timestampType, lastTimestamp);
        // A checkpoint that does not fit the model and options is refused here, not by the first cursor.
        transformer.ReleaseEngine(transformer.CreateEngine());
        return transformer;
    }
}

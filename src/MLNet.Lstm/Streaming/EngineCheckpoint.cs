using System.Security.Cryptography;
using static System.FormattableString;

namespace MLNet.Lstm.Streaming;

/// <summary>
/// The time-series engine's checkpoint format, for one model and one set of options: the bytes
/// MLNLSTMS, the format version, the SHA-256 of the model's step graph, F, L and H, then the
/// <see cref="EngineState"/> (little-endian, as <see cref="BinaryWriter"/> writes), and a SHA-256
/// of everything before it.
/// </summary>
/// <remarks>
/// Checkpoints outlive the process that wrote them (a service saves them to resume after a
/// restart), so the layout never changes under a version: Fixtures/checkpoint in the tests holds
/// one written by version 2, and a new layout needs a new version.
/// </remarks>
internal sealed class EngineCheckpoint(byte[] modelHash, int inputSize, int numLayers, int hiddenSize)
{
    private const string Source = "time-series checkpoint";
    private static ReadOnlySpan<byte> Magic => "MLNLSTMS"u8;
    // 2: a SHA-256 of everything before it ends the checkpoint. 3: the value range, the kept states and the novelty history follow the error history.
    // 4: each history says whether it is scored by the empirical tail (LstmTimeSeriesOptions.ErrorTail).
    // 5: that byte may also say 2, the empirical tail over the errors' square roots.
    private const int FormatVersion = 5;
    private const int OldestReadable = 2;

    public void Write(Stream stream, EngineState state)
    {
        using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var writer = new BinaryWriter(new HashingStream(stream, checksum), System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(modelHash);
        writer.Write(inputSize);
        writer.Write(numLayers);
        writer.Write(hiddenSize);
        writer.Write(state.Points);
        WriteFloats(writer, state.Hidden);
        WriteFloats(writer, state.Cell);
        WriteFloats(writer, state.Forecast);
        state.Likelihood.Write(writer);
        state.Range.Write(writer);
        state.Novelty.Write(writer);
        state.NoveltyLikelihood?.Write(writer);
        writer.Write(checksum.GetHashAndReset());
    }

    /// <summary>
    /// Reads a checkpoint <see cref="Write"/> wrote for this model and these options into new
    /// arrays and the fresh objects given, so that a refused one changes
    /// nothing the engine holds. A format-2 checkpoint held no range and no states: both are then unknown.
    /// The error history is scored by the tail it was written with: the normal one before format 4;
    /// where the engine's window is unset, both histories by the window they were written with.
    /// </summary>
    /// <param name="stream">The checkpoint.</param>
    /// <param name="likelihood">A fresh likelihood of the engine's options, to read the error history into.</param>
    /// <param name="range">A fresh value range of the engine's F, to read the range into.</param>
    /// <param name="novelty">Fresh state novelty of the engine's options, to read the kept states into.</param>
    /// <param name="noveltyLikelihood">A fresh likelihood of the engine's options, to read the novelty history into; null where the engine keeps no states.</param>
    /// <param name="adoptWindow">Whether the engine's averaging window is unset, so that the checkpoint's is taken; otherwise it must be the likelihoods'.</param>
    public EngineState Read(Stream stream, AnomalyLikelihood likelihood, ValueRange range, StateNovelty novelty, AnomalyLikelihood? noveltyLikelihood, bool adoptWindow)
    {
        int stateLength = checked(numLayers * hiddenSize);
        var hidden = new float[stateLength];
        var cell = new float[stateLength];
        var forecast = new float[inputSize];
        try
        {
            using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var reader = new BinaryReader(new HashingStream(stream, checksum), System.Text.Encoding.UTF8, leaveOpen: true);
            int version = ReadHeader(reader);
            long points = reader.ReadInt64();
            if (points < 0)
            {
                throw LstmThrow.CheckpointInvalid(Source, Invariant($"expected a count of points ≥ 0, found {points}"));
            }
            // A hidden state is o·tanh(c): never outside [-1, 1], however long the series.
            ReadFloats(reader, hidden, "hidden state", 1f);
            ReadFloats(reader, cell, "cell state");
            ReadFloats(reader, forecast, "forecast");
            likelihood.Read(reader, Source, version, adoptWindow ? null : likelihood.Window);
            if (version >= 3)
            {
                range.Read(reader, Source);
                novelty.Read(reader, Source);
                // One window for both, as every engine writes them.
                noveltyLikelihood?.Read(reader, Source, version, likelihood.Window, normalOnly: "a novelty history");
            }
            else
            {
                range.Forget();
                novelty.Forget();
                // No novelty history to read: the fresh one averages as the error history does, as every engine writes them.
                noveltyLikelihood?.FollowWindow(likelihood.Window);
            }
            likelihood.CheckAgrees(points, Source, "an error history");
            range.CheckAgrees(points, Source);
            novelty.CheckAgrees(points, Source);
            if (novelty.Known)
            {
                noveltyLikelihood?.CheckAgrees(points, Source, "a novelty history");
            }
            // Every field above passed its own check; a flipped bit in a state or a count is caught only here.
            ReadChecksum(reader, checksum.GetHashAndReset());
            return new EngineState(points, hidden, cell, forecast, likelihood, range, novelty, noveltyLikelihood);
        }
        catch (EndOfStreamException e)
        {
            throw LstmThrow.CheckpointInvalid(Source, "it ends early", e);
        }
    }

    private int ReadHeader(BinaryReader reader)
    {
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw LstmThrow.CheckpointInvalid(Source, "it does not start like one (expected the bytes MLNLSTMS)");
        }
        int version = reader.ReadInt32();
        if (version < OldestReadable || version > FormatVersion)
        {
            throw LstmThrow.CheckpointInvalid(Source, Invariant($"expected format version {OldestReadable} to {FormatVersion}, found {version}"));
        }
        if (!reader.ReadBytes(modelHash.Length).AsSpan().SequenceEqual(modelHash))
        {
            throw LstmThrow.CheckpointInvalid(Source, "it was written by an engine of another model (the model's SHA-256 differs)");
        }
        int foundInputSize = reader.ReadInt32(), foundLayers = reader.ReadInt32(), foundHiddenSize = reader.ReadInt32();
        if (foundInputSize != inputSize || foundLayers != numLayers || foundHiddenSize != hiddenSize)
        {
            throw LstmThrow.CheckpointInvalid(Source, Invariant($"expected F {inputSize}, L {numLayers}, H {hiddenSize}, found {foundInputSize}, {foundLayers}, {foundHiddenSize}"));
        }
        return version;
    }

    private static void ReadChecksum(BinaryReader reader, byte[] expected)
    {
        byte[] found = reader.ReadBytes(expected.Length);
        if (found.Length < expected.Length)
        {
            throw new EndOfStreamException();
        }
        if (!found.AsSpan().SequenceEqual(expected))
        {
            throw LstmThrow.CheckpointInvalid(Source, "its SHA-256 checksum does not match its contents: it was damaged");
        }
    }

    private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            writer.Write(v);
        }
    }

    private static void ReadFloats(BinaryReader reader, float[] values, string what, float bound = float.MaxValue)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadSingle();
            if (!float.IsFinite(values[i]))
            {
                throw LstmThrow.CheckpointInvalid(Source, Invariant($"expected a finite {what}, found {values[i]} at index {i}"));
            }
            if (Math.Abs(values[i]) > bound)
            {
                throw LstmThrow.CheckpointInvalid(Source, Invariant($"expected a {what} from -{bound} to {bound}, found {values[i]} at index {i}"));
            }
        }
    }
}

using Microsoft.ML.Runtime;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>
/// Training's line to ML.NET: log lines to <c>mlContext.Log</c>, and ML.NET's cancellation
/// (<c>mlContext.CancelExecution()</c>), both reached through ML.NET's internal host API.
/// </summary>
internal sealed class TrainingChannel : IDisposable
{
    private readonly IHost _host;
    private readonly IChannel _channel;

    public TrainingChannel(IHostEnvironment env)
    {
        _host = env.Register("LstmTrainer");
        _channel = _host.Start("LSTM training");
    }

    public void Info(string message) => _channel.Info(message);

    public void Warning(string message) => _channel.Warning(message);

    /// <summary>Throws <see cref="OperationCanceledException"/> once the MLContext's execution was cancelled.</summary>
    public void ThrowIfCancelled() => _host.CheckAlive();

    public void Dispose() => _channel.Dispose();
}

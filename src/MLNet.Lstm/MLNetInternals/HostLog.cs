using Microsoft.ML.Runtime;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>
/// Warnings to <c>mlContext.Log</c> from the featurizer's views (ML.NET's <c>IChannel.Warning</c>
/// is internal). Training has its own line, <see cref="TrainingChannel"/>.
/// </summary>
internal static class HostLog
{
    public static void Warning(IHost host, string channelName, string message)
    {
        using var channel = host.Start(channelName);
        channel.Warning(message);
    }
}

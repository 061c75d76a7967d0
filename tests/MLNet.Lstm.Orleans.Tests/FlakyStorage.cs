using System.Collections.Concurrent;
using Orleans.Storage;

namespace MLNet.Lstm.Orleans.Tests;

/// <summary>
/// A grain storage of the test's own, as a user's ADO.NET or Redis storage would be registered:
/// in memory, with a switch that makes every write fail as an outage would.
/// </summary>
internal sealed class FlakyStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<string, (object State, string ETag)> _states = new();
    private long _version;

    public static volatile bool Down;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue($"{stateName}/{grainId}", out var stored))
        {
            (grainState.State, grainState.ETag, grainState.RecordExists) = ((T)stored.State, stored.ETag, true);
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Down)
        {
            throw new IOException("the storage is down");
        }
        string etag = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _states[$"{stateName}/{grainId}"] = (grainState.State!, etag);
        (grainState.ETag, grainState.RecordExists) = (etag, true);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _states.TryRemove($"{stateName}/{grainId}", out _);
        return Task.CompletedTask;
    }
}

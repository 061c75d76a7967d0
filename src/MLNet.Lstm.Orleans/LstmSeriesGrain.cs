namespace MLNet.Lstm.Orleans;

/// <summary>
/// The grain behind <see cref="ILstmSeriesGrain"/>: the series' engine lives in the activation;
/// its checkpoint and the next sequence number are the persisted state, so that another silo
/// resumes the series where the last checkpoint left it.
/// </summary>
internal sealed class LstmSeriesGrain(
    [PersistentState(LstmFleet.StateName, LstmFleet.StorageName)] IPersistentState<LstmSeriesState> state,
    LstmFleetModel fleet) : Grain, ILstmSeriesGrain
{
    private LstmTimeSeriesEngine? _engine;
    private long _next;
    private long _sinceCheckpoint;
    // Another activation wrote the series since this one read it: this one must not write again.
    private bool _stale;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var engine = fleet.CreateEngine();
        if (state.State.Checkpoint is byte[] checkpoint)
        {
            try
            {
                engine.Restore(new MemoryStream(checkpoint, writable: false));
            }
            catch (InvalidDataException e)
            {
                // A failed activation is not deactivated: its engine is freed here or never.
                engine.Dispose();
                throw FleetThrow.CheckpointNotRestorable(this.GetPrimaryKeyString(), e);
            }
        }
        _engine = engine;
        _next = state.State.NextSequence;
        return Task.CompletedTask;
    }

    public async Task<LstmSeriesScores> Score(long firstSequence, float[] points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var engine = _engine!;
        string series = this.GetPrimaryKeyString();
        int features = engine.InputSize;
        if (points.Length % features != 0)
        {
            throw FleetThrow.PointsNotWhole(series, features, points.Length);
        }
        if (firstSequence < 0)
        {
            throw FleetThrow.SequenceNegative(series, firstSequence);
        }
        if (firstSequence > _next)
        {
            throw new LstmSequenceGapException(series, _next, firstSequence);
        }
        long count = points.Length / features;
        long skip = Math.Min(_next - firstSequence, count);
        var fresh = points.AsSpan(checked((int)(skip * features)));
        // Checked before any is scored, so that a refused batch leaves the series as it was.
        for (int i = 0; i < fresh.Length; i++)
        {
            if (!float.IsFinite(fresh[i]))
            {
                throw FleetThrow.PointNotFinite(series, firstSequence + skip + i / features, i % features, fresh[i]);
            }
        }
        var scores = new float[fresh.Length / features];
        var errors = new float[scores.Length];
        // A batch that ends in a checkpoint is scored from a snapshot it can return to: should the
        // storage refuse the write, the series is as before the batch, and the client's retry
        // scores it again once the storage is back, rather than finding it acknowledged and its
        // scores lost.
        bool persists = _sinceCheckpoint + scores.Length >= fleet.Options.CheckpointEvery;
        byte[]? before = persists ? Snapshot() : null;
        (long next, long since) = (_next, _sinceCheckpoint);
        for (int i = 0; i < scores.Length; i++)
        {
            var prediction = engine.Predict(fresh.Slice(i * features, features));
            scores[i] = prediction.Score;
            errors[i] = prediction.Error;
            _next++;
            _sinceCheckpoint++;
        }
        if (persists)
        {
            try
            {
                await Persist();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                engine.Restore(new MemoryStream(before!, writable: false));
                (_next, _sinceCheckpoint) = (next, since);
                if (IsStale(e))
                {
                    // Its ETag will never match again: a fresh activation reads what storage holds.
                    _stale = true;
                    DeactivateOnIdle();
                    throw LstmFleetStorageException.Stale(series, next, e);
                }
                throw new LstmFleetStorageException(series, next, e);
            }
        }
        return new LstmSeriesScores(firstSequence + skip, scores, errors, _next, state.State.NextSequence);
    }

    public async Task<long> CheckPoint()
    {
        await Persist();
        return state.State.NextSequence;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (_sinceCheckpoint > 0 && !_stale)
            {
                await Persist();
            }
        }
        finally
        {
            _engine?.Dispose();
            _engine = null;
        }
    }

    private static bool IsStale(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is global::Orleans.Storage.InconsistentStateException)
            {
                return true;
            }
        }
        return false;
    }

    private byte[] Snapshot()
    {
        using var checkpoint = new MemoryStream();
        _engine!.CheckPoint(checkpoint);
        return checkpoint.ToArray();
    }

    private async Task Persist()
    {
        var persisted = state.State;
        state.State = new LstmSeriesState { NextSequence = _next, Checkpoint = Snapshot() };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // What storage holds is still the former state: DurableSequence must not claim more.
            state.State = persisted;
            throw;
        }
        _sinceCheckpoint = 0;
    }
}

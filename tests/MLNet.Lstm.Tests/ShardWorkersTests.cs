using MLNet.Lstm.Training;

namespace MLNet.Lstm.Tests;

/// <summary>The training step's own shard threads: every shard runs once per step, errors come back, nothing outlives Dispose.</summary>
[TestClass]
public sealed class ShardWorkersTests
{
    [TestMethod]
    [Timeout(60_000)]
    public void EveryActiveShardRunsOncePerStepAndTheRestDoNot()
    {
        using var workers = new ShardWorkers(4);
        var runs = new int[4];
        for (int step = 0; step < 2_000; step++)
        {
            int active = 1 + step % 4;
            workers.Run(active, shard => Interlocked.Increment(ref runs[shard]));
        }
        CollectionAssert.AreEqual(new[] { 2_000, 1_500, 1_000, 500 }, runs);
    }

    [TestMethod]
    [Timeout(60_000)]
    public void ShardZeroRunsOnTheCallerAndTheOthersOnTheirOwnThreads()
    {
        using var workers = new ShardWorkers(3);
        var threads = new int[3];
        workers.Run(3, shard => threads[shard] = Environment.CurrentManagedThreadId);
        Assert.AreEqual(Environment.CurrentManagedThreadId, threads[0]);
        Assert.AreEqual(3, threads.Distinct().Count());
    }

    [TestMethod]
    [Timeout(60_000)]
    public void AWorkerShardsErrorIsRethrownOnTheCallerAfterEveryShardHasFinished()
    {
        using var workers = new ShardWorkers(2);
        int finished = 0;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => workers.Run(2, shard =>
        {
            if (shard == 1)
            {
                throw new InvalidOperationException("shard 1 failed");
            }
            Thread.Sleep(50);
            Interlocked.Increment(ref finished);
        }));
        Assert.AreEqual("shard 1 failed", error.Message);
        Assert.AreEqual(1, finished);
    }

    [TestMethod]
    [Timeout(60_000)]
    public void TheLowestShardsErrorWinsAndTheWorkersStayUsable()
    {
        using var workers = new ShardWorkers(3);
        var error = Assert.ThrowsExactly<ArgumentException>(() => workers.Run(3, shard => throw new ArgumentException($"shard {shard}")));
        Assert.AreEqual("shard 0", error.Message);
        var runs = new int[3];
        workers.Run(3, shard => runs[shard]++);
        CollectionAssert.AreEqual(new[] { 1, 1, 1 }, runs);
    }

    [TestMethod]
    [Timeout(60_000)]
    public void DisposeEndsTheThreadsAndLaterRunsAreRefused()
    {
        var workers = new ShardWorkers(3);
        var threads = new Thread[3];
        workers.Run(3, shard => threads[shard] = Thread.CurrentThread);
        workers.Dispose();
        Assert.IsFalse(threads[1].IsAlive);
        Assert.IsFalse(threads[2].IsAlive);
        Assert.ThrowsExactly<ObjectDisposedException>(() => workers.Run(3, _ => { }));
        workers.Dispose();
    }

    [TestMethod]
    [Timeout(60_000)]
    public void AWorkerThatHasBlockedWakesForTheNextStep()
    {
        using var workers = new ShardWorkers(2);
        var runs = new int[2];
        for (int step = 0; step < 3; step++)
        {
            // Longer than the spin budget, so the worker has gone to sleep on its signal.
            Thread.Sleep(30);
            workers.Run(2, shard => runs[shard]++);
        }
        CollectionAssert.AreEqual(new[] { 3, 3 }, runs);
    }

    [TestMethod]
    [Timeout(120_000)]
    public void ManyTrainersAtOnceEachFinishWithTheirOwnShards()
    {
        var sums = new long[8];
        Parallel.For(0, 8, trainer =>
        {
            using var workers = new ShardWorkers(2);
            for (int step = 0; step < 500; step++)
            {
                workers.Run(2, shard => Interlocked.Add(ref sums[trainer], shard + 1));
            }
        });
        CollectionAssert.AreEqual(Enumerable.Repeat(1_500L, 8).ToArray(), sums);
    }
}

using Microsoft.ML;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>Thread and GPU settings: same numbers on every setting, a clear error where the GPU cannot be had.</summary>
[TestClass]
public sealed class ExecutionOptionsTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void IntraOpThreadCountDoesNotChangeTheNumbers(int threads)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(40, 12, 3, seed: 2));
        var model = LstmModel.CreateRandom(3, 32, numLayers: 2, seed: 2);
        using var reference = mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data);
        using var threaded = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { IntraOpNumThreads = threads }).Fit(data);

        Assertions.AreClose(TestData.Features(reference.Transform(data)), TestData.Features(threaded.Transform(data)), 1e-6);
    }

    [TestMethod]
    public void GpuWithoutCudaFallsBackToTheCpuWhenAllowed()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(5, 4, 1, seed: 3));
        var model = LstmModel.CreateRandom(1, 8, seed: 3);
        using var cpu = mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data);

        using var fallback = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { GpuDeviceId = 0, FallbackToCpu = true }).Fit(data);

        Assertions.AreClose(TestData.Features(cpu.Transform(data)), TestData.Features(fallback.Transform(data)), 0);
    }

    [TestMethod]
    public void GpuWithoutCudaIsRefusedWhenFallbackIsOff()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(5, 4, 1, seed: 3));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8), new LstmFeaturizerOptions { GpuDeviceId = 0 });

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(data));

        Assert.StartsWith("LstmFeaturizerOptions.GpuDeviceId is 0, but ONNX Runtime's CUDA execution provider could not be used (", e.Message);
        Assert.EndsWith("). Reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime and check the CUDA installation, or set FallbackToCpu = true to run on the CPU.", e.Message);
    }

    [TestMethod]
    public void ZeroIntraOpThreadsIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { IntraOpNumThreads = 0 }));

        Assert.AreEqual("LstmFeaturizerOptions.IntraOpNumThreads: expected null (all cores) or at least 1 thread, found 0. (Parameter 'IntraOpNumThreads')", e.Message);
    }
}

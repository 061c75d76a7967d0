namespace MLNet.Lstm.Tests;

/// <summary>The weight generator: a skip lands where as many draws would.</summary>
[TestClass]
public sealed class SplitMix64Tests
{
    [TestMethod]
    public void SkipMovesOnAsThatManyDrawsWould()
    {
        var drawn = new SplitMix64(7);
        var skipped = new SplitMix64(7);
        for (int i = 0; i < 1000; i++)
        {
            drawn.Next();
        }

        skipped.Skip(1000);

        Assert.AreEqual(drawn.Next(), skipped.Next());
    }
}

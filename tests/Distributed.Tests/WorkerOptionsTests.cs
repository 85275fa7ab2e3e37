using A3cGrpc.Distributed.Options;

namespace A3cGrpc.Distributed.Tests;

public sealed class WorkerOptionsTests
{
    [Fact]
    public void EffectiveSeed_Unset_DiffersBetweenWorkerIds_AndIsStablePerId()
    {
        var pod1 = new WorkerOptions { WorkerId = "worker-7d9c8b6f5-x2l4q" };
        var pod2 = new WorkerOptions { WorkerId = "worker-7d9c8b6f5-m8k3z" };

        var seed1 = pod1.EffectiveSeed;

        Assert.NotEqual(seed1, pod2.EffectiveSeed);
        Assert.Equal(seed1, new WorkerOptions { WorkerId = pod1.WorkerId }.EffectiveSeed);
        Assert.True(seed1 >= 0);
    }

    [Fact]
    public void EffectiveSeed_Set_IsThatSeed()
    {
        var options = new WorkerOptions { WorkerId = "worker-1", Seed = 42 };

        Assert.Equal(42, options.EffectiveSeed);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

public sealed class TorchRuntimeTests
{
    public TorchRuntimeTests() => TorchRuntime.Initialize();

    [Fact]
    public void Initialize_CalledAgain_KeepsOneIntraOpThread()
    {
        // Arrange: the constructor already initialised once.

        // Act
        TorchRuntime.Initialize(1);
        TorchRuntime.Initialize();

        // Assert
        Assert.True(TorchRuntime.IsInitialized);
        Assert.Equal(1, TorchRuntime.Threads);
        Assert.Equal(1, torch.get_num_threads());
        Assert.Equal(1, torch.get_num_interop_threads());
    }

    [Fact]
    public void Initialize_ZeroThreads_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Initialize(0));
    }

    [Fact]
    public void TorchSharp_ForwardBackwardAdamStep_MatchesHandComputedNumbers()
    {
        // Arrange: w = [1, -2], x = [3, 4], loss = (w . x)^2.
        // w . x = 3 - 8 = -5, loss = 25, dloss/dw = 2 (w . x) x = [-30, -40].
        // Adam's first step moves each weight by lr * m_hat / (sqrt(v_hat) + eps) = lr * g / |g| = -0.1 * sign(g):
        // w becomes [1.1, -1.9].
        using var scope = NewDisposeScope();
        var w = new Parameter(tensor(new float[] { 1f, -2f }));
        var x = tensor(new float[] { 3f, 4f });
        using var adam = new Adam([w], lr: 0.1, beta1: 0.9, beta2: 0.999);

        // Act
        var product = w.dot(x);
        var loss = product.mul(product);
        loss.backward();
        var grad = w.grad!.data<float>().ToArray();
        adam.step();

        // Assert
        Assert.Equal(25f, loss.item<float>());
        Assert.Equal(new[] { -30f, -40f }, grad);
        var updated = w.data<float>().ToArray();
        Assert.Equal(1.1, updated[0], 6);
        Assert.Equal(-1.9, updated[1], 6);
    }
}

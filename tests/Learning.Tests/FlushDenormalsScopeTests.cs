using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

public sealed class FlushDenormalsScopeTests
{
    public FlushDenormalsScopeTests() => TorchRuntime.Initialize();

    [Fact]
    public void Enter_DenormalProduct_IsFlushedInsideAndNotAfter()
    {
        // 1e-30 * 1e-10 = 1e-40, below float's smallest normal (1.2e-38): a denormal.
        Assert.True(FlushDenormalsScope.IsSupported, "Flushing denormals should work on x86-64 Linux.");
        using var a = tensor(new[] { 1e-30f });
        using var b = tensor(new[] { 1e-10f });

        float inside;
        float managedInside;
        using (FlushDenormalsScope.Enter())
        {
            using var product = a.mul(b);
            inside = product.item<float>();
            managedInside = Multiply(1e-30f, 1e-10f);
        }

        using var after = a.mul(b);

        Assert.Equal(0f, inside);
        Assert.Equal(0f, managedInside);
        Assert.True(float.IsSubnormal(after.item<float>()));
        Assert.True(float.IsSubnormal(Multiply(1e-30f, 1e-10f)), "The caller's floating-point environment was not restored.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Multiply(float left, float right) => left * right;
}

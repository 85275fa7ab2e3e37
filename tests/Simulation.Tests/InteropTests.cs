using A3cGrpc.Simulation.Interop;

namespace A3cGrpc.Simulation.Tests;

/// <summary>The native boundary: ABI version, status codes, last-error text and <see cref="BulletException"/>.</summary>
public sealed unsafe class InteropTests
{
    [Fact]
    public void AbiVersion_LoadedLibrary_MatchesManagedDeclarations()
    {
        // Act / Assert
        Assert.Equal(NativeMethods.ExpectedAbiVersion, NativeMethods.AbiVersion());
    }

    [Fact]
    public void WorldReset_NonFiniteState_ReturnsInvalidArgumentWithNativeMessage()
    {
        // Arrange
        using var handle = CreateHandle();
        double* state = stackalloc double[4] { 0, 0, double.NaN, 0 };

        // Act
        var status = NativeMethods.WorldReset(handle, 0, state, null);

        // Assert
        Assert.Equal(NativeStatus.InvalidArgument, status);
        Assert.Equal("state values must be finite", NativeMethods.ReadLastError());
    }

    [Fact]
    public void ThrowIfFailed_NativeFailure_ThrowsBulletExceptionWithNativeText()
    {
        // Arrange
        using var handle = CreateHandle();
        double* state = stackalloc double[4];
        var status = NativeMethods.WorldReset(handle, 5, state, null);

        // Act
        var error = Assert.Throws<BulletException>(() => NativeMethods.ThrowIfFailed(status, "a3c_world_reset"));

        // Assert
        Assert.Equal("a3c_world_reset", error.Operation);
        Assert.Equal((int)NativeStatus.InvalidArgument, error.StatusCode);
        Assert.Equal("index is out of range", error.NativeMessage);
        Assert.Equal("a3c_world_reset failed with status 1 (invalid argument): index is out of range", error.Message);
    }

    [Fact]
    public void WorldCreate_LayoutMismatch_IsRejectedByNativeSide()
    {
        // Arrange
        var parameters = CartPoleParams.FromConstants();
        parameters.StructSize -= 8;

        // Act
        var status = NativeMethods.WorldCreate(in parameters, 1, out var handle);

        // Assert
        using (handle)
        {
            Assert.Equal(NativeStatus.InvalidArgument, status);
            Assert.True(handle.IsInvalid);
            Assert.Contains("struct_size does not match", NativeMethods.ReadLastError(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WorldCreate_InvalidModel_IsRejectedByNativeSide()
    {
        // Arrange
        var parameters = CartPoleParams.FromConstants();
        parameters.SliderLower = 2.0;

        // Act
        var status = NativeMethods.WorldCreate(in parameters, 1, out var handle);

        // Assert
        using (handle)
        {
            Assert.Equal(NativeStatus.InvalidArgument, status);
            Assert.Equal("slider limits must be finite with lower < upper", NativeMethods.ReadLastError());
        }
    }

    [Fact]
    public void LastError_FailureOnAnotherThread_IsNotVisibleOnThisThread()
    {
        // Arrange: fail here, then fail differently on another thread.
        using var handle = CreateHandle();
        double* state = stackalloc double[4];
        _ = NativeMethods.WorldReset(handle, 7, state, null);
        var otherMessage = string.Empty;
        var other = new Thread(() =>
        {
            var forces = new double[2];
            var states = new double[4];
            fixed (double* f = forces)
            fixed (double* s = states)
            {
                _ = NativeMethods.WorldStep(handle, f, 2, s, 4);
            }

            otherMessage = NativeMethods.ReadLastError();
        });

        // Act
        other.Start();
        other.Join();

        // Assert
        Assert.Equal("force_count must equal count", otherMessage);
        Assert.Equal("index is out of range", NativeMethods.ReadLastError());
    }

    [Fact]
    public void NativeWorld_WrongBufferLengths_ThrowArgumentBeforeCallingNative()
    {
        // Arrange
        using var world = NativeWorld.Create(2);

        // Act / Assert
        Assert.Throws<ArgumentException>(() => world.Step(new double[1], new double[8]));
        Assert.Throws<ArgumentException>(() => world.Step(new double[2], new double[7]));
        Assert.Throws<ArgumentException>(() => world.GetState(new double[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.GetInfo(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeWorld.Create(0));
    }

    [Fact]
    public void NativeWorld_StepAndGetState_AgreeForEverySystem()
    {
        // Arrange
        using var world = NativeWorld.Create(3);
        var read = new double[4];
        world.Reset(1, [0.5, 0.0, 3.0, 0.0], read);
        var stepped = new double[12];
        var state = new double[12];

        // Act
        world.Step([10.0, 0.0, -10.0], stepped);
        world.GetState(state);

        // Assert: systems are independent; state 0 was pushed +x, state 2 pushed -x, 1 started elsewhere.
        Assert.Equal([0.5, 0.0, 3.0, 0.0], read);
        Assert.Equal(stepped, state);
        Assert.True(state[0] > 0 && state[8] < 0);
        Assert.Equal(0.5, state[4], 1e-3);
        Assert.NotEqual(3.0, state[6]);
    }

    private static WorldHandle CreateHandle()
    {
        var parameters = CartPoleParams.FromConstants();
        NativeMethods.ThrowIfFailed(NativeMethods.WorldCreate(in parameters, 1, out var handle), "a3c_world_create");
        return handle;
    }
}

namespace A3cGrpc.Simulation.Interop;

/// <summary>
/// Managed façade over one native <c>a3c_world</c>: <see cref="Count"/> independent cart-poles,
/// each in its own <c>btMultiBodyDynamicsWorld</c>, stepped together by one native call.
/// Checks buffer sizes and turns native statuses into <see cref="BulletException"/>.
/// Not thread-safe.
/// </summary>
internal sealed unsafe class NativeWorld : IDisposable
{
    private static readonly Lazy<int> _nativeAbiVersion = new(LoadAbiVersion);

    private readonly WorldHandle _handle;

    private NativeWorld(WorldHandle handle, int count)
    {
        _handle = handle;
        Count = count;
    }

    /// <summary>Number of cart-poles in this world.</summary>
    public int Count { get; }

    /// <summary>Creates <paramref name="count"/> cart-poles with the constants of <see cref="SwingUpConstants"/>.</summary>
    public static NativeWorld Create(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (_nativeAbiVersion.Value != NativeMethods.ExpectedAbiVersion)
        {
            throw new BulletException(
                "a3c_abi_version",
                (int)NativeStatus.InvalidArgument,
                $"{NativeMethods.LibraryName} reports ABI version {_nativeAbiVersion.Value}, this assembly expects {NativeMethods.ExpectedAbiVersion}; rebuild the Simulation project.");
        }

        var parameters = CartPoleParams.FromConstants();
        var status = NativeMethods.WorldCreate(in parameters, count, out var handle);
        if (status != NativeStatus.Ok || handle.IsInvalid)
        {
            handle.Dispose();
            NativeMethods.ThrowIfFailed(status == NativeStatus.Ok ? NativeStatus.UnknownError : status, "a3c_world_create");
        }

        return new NativeWorld(handle, count);
    }

    /// <summary>Sets cart-pole <paramref name="index"/> to <paramref name="state"/> and reads the state back.</summary>
    public void Reset(int index, ReadOnlySpan<double> state, Span<double> stateRead)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        RequireLength(state.Length, NativeMethods.StateSize, nameof(state));
        RequireLength(stateRead.Length, NativeMethods.StateSize, nameof(stateRead));
        fixed (double* input = state)
        fixed (double* output = stateRead)
        {
            NativeMethods.ThrowIfFailed(NativeMethods.WorldReset(_handle, index, input, output), "a3c_world_reset");
        }
    }

    /// <summary>Applies <paramref name="forces"/> (newtons, one per cart-pole), steps every cart-pole once and writes their states.</summary>
    public void Step(ReadOnlySpan<double> forces, Span<double> states)
    {
        RequireLength(forces.Length, Count, nameof(forces));
        RequireLength(states.Length, Count * NativeMethods.StateSize, nameof(states));
        fixed (double* input = forces)
        fixed (double* output = states)
        {
            NativeMethods.ThrowIfFailed(NativeMethods.WorldStep(_handle, input, forces.Length, output, states.Length), "a3c_world_step");
        }
    }

    /// <summary>Writes the state of every cart-pole without stepping.</summary>
    public void GetState(Span<double> states)
    {
        RequireLength(states.Length, Count * NativeMethods.StateSize, nameof(states));
        fixed (double* output = states)
        {
            NativeMethods.ThrowIfFailed(NativeMethods.WorldGetState(_handle, output, states.Length), "a3c_world_get_state");
        }
    }

    /// <summary>Reads back the model and solver settings Bullet holds for cart-pole <paramref name="index"/>.</summary>
    public WorldInfo GetInfo(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var info = new WorldInfo { StructSize = sizeof(WorldInfo) };
        NativeMethods.ThrowIfFailed(NativeMethods.WorldGetInfo(_handle, index, ref info), "a3c_world_get_info");
        return info;
    }

    public void Dispose() => _handle.Dispose();

    private static void RequireLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} values, got {actual}.", name);
        }
    }

    private static int LoadAbiVersion()
    {
        try
        {
            return NativeMethods.AbiVersion();
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"The Bullet shim lib{NativeMethods.LibraryName}.so could not be loaded. The Simulation project builds it with CMake "
                + "and copies it next to the assemblies; rebuild, and check that Bullet's runtime libraries are installed "
                + "(apt-get install libbullet-dev cmake g++).",
                e);
        }
    }
}

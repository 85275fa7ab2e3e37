using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.EnvSim.Options;
using A3cGrpc.EnvSim.Tests.TestSupport;
using A3cGrpc.ServiceDefaults.Launching;
using A3cGrpc.TestSupport;
using Grpc.Core;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>
/// <see cref="SimulatorProcess"/> with the real EnvSim program (the A3cGrpc.EnvSim.dll that the project reference puts
/// in the test output) as a child process on a Unix socket.
/// </summary>
public sealed class SimulatorProcessTests : IDisposable
{
    private readonly string _socketPath = Path.Combine(Path.GetTempPath(), $"a3c-envsim-test-{Guid.NewGuid():N}.sock");
    private readonly RecordingLogger _logger = new();
    private readonly CancellationTokenSource _cancellation = new(SimulatorHost.HangGuard);

    private static string EnvSimPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "A3cGrpc.EnvSim.dll");
            Assert.True(File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), $"{path} and its .runtimeconfig.json must be in the test output.");
            return path;
        }
    }

    [Fact]
    public async Task StartAsync_OverAStaleSocketFile_ServesASessionEqualToLocalEnvironments()
    {
        // Arrange
        await File.WriteAllTextAsync(_socketPath, "left behind by a dead simulator");
        using var reference = new ReferenceEnvironments(4, 7);
        var actions = ReferenceEnvironments.RandomActions(4, 20, seed: 8);

        // Act
        await using var simulator = await StartAsync();
        using var channel = GrpcAddress.CreateChannel(simulator.Address);
        await using var session = await SimulatorSession.OpenAsync(
            new Simulator.SimulatorClient(channel), 4, 7, SimulatorHost.HangGuard, _cancellation.Token);

        // Assert
        Assert.Equal("unix:" + _socketPath, simulator.Address);
        Assert.False(simulator.HasExited);
        Assert.Equal(reference.Observations, session.Observations.ToArray());
        foreach (var row in actions)
        {
            reference.Step(row);
            await session.StepAsync(row, default, endsRollout: false, _cancellation.Token);
            Assert.Equal(reference.Observations, session.Observations.ToArray());
        }

        Assert.True(_logger.Contains($"envsim[{simulator.ProcessId}]: "), "The child's output is forwarded to the logger.");
    }

    [Fact]
    public async Task KilledChild_IsSeenAsExitedAndItsSessionFailsWithRpcException()
    {
        // Arrange
        await using var simulator = await StartAsync();
        using var channel = GrpcAddress.CreateChannel(simulator.Address);
        await using var session = await SimulatorSession.OpenAsync(
            new Simulator.SimulatorClient(channel), 2, 1, SimulatorHost.HangGuard, _cancellation.Token);
        await session.StepAsync(new float[2], default, endsRollout: false, _cancellation.Token);

        // Act
        using (var child = Process.GetProcessById(simulator.ProcessId))
        {
            child.Kill();
        }

        await Poll.UntilAsync(() => simulator.HasExited, "the killed simulator is seen as exited", SimulatorHost.HangGuard);

        // Assert: this call and every later one fail with the same status.
        var error = await Assert.ThrowsAsync<RpcException>(() => session.StepAsync(new float[2], default, false, _cancellation.Token));
        var again = await Assert.ThrowsAsync<RpcException>(() => session.StepAsync(new float[2], default, false, _cancellation.Token));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(error.StatusCode, again.StatusCode);
    }

    [Fact]
    public async Task StepAsync_SimulatorHangs_ThrowsDeadlineExceededAndTheSessionStaysBroken()
    {
        // Arrange: a real simulator, warmed up by a first session, then frozen (SIGSTOP) so that it accepts the step
        // but never replies.
        await using var simulator = await StartAsync();
        using var channel = GrpcAddress.CreateChannel(simulator.Address);
        var client = new Simulator.SimulatorClient(channel);
        await (await SimulatorSession.OpenAsync(client, 2, 1, SimulatorHost.HangGuard, _cancellation.Token)).DisposeAsync();
        await using var session = await SimulatorSession.OpenAsync(client, 2, 1, TimeSpan.FromSeconds(2), _cancellation.Token);
        await SignalAsync("STOP", simulator.ProcessId);
        try
        {
            // Act
            var error = await Assert.ThrowsAsync<RpcException>(() => session.StepAsync(new float[2], default, false, _cancellation.Token));

            // Assert
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
            Assert.Contains("no reply within 2 s", error.Status.Detail, StringComparison.Ordinal);
            var again = await Assert.ThrowsAsync<RpcException>(() => session.StepAsync(new float[2], default, false, _cancellation.Token));
            Assert.Equal(StatusCode.DeadlineExceeded, again.StatusCode);
        }
        finally
        {
            await SignalAsync("CONT", simulator.ProcessId);
        }
    }

    [Fact]
    public async Task DisposeAsync_RunningChild_StopsItGracefullyAndRemovesTheSocket()
    {
        // Arrange
        var simulator = await StartAsync();
        using var child = Process.GetProcessById(simulator.ProcessId);
        Assert.True(File.Exists(_socketPath));

        // Act
        await simulator.DisposeAsync();

        // Assert: SIGTERM was enough (exit code 0, not killed).
        Assert.True(child.HasExited);
        Assert.True(simulator.HasExited);
        Assert.False(File.Exists(_socketPath));
        Assert.True(_logger.Contains($"EnvSim process {simulator.ProcessId} exited with code 0."), string.Join('\n', _logger.Lines));
        Assert.False(_logger.Contains("killed it"));
    }

    [Fact]
    public async Task ParentProcessId_ParentExits_SimulatorStopsItself()
    {
        // Arrange: a stand-in parent.
        using var parent = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        try
        {
            await using var simulator = await SimulatorProcess.StartAsync(
                EnvSimPath, _socketPath, [], _logger, SimulatorHost.HangGuard, _cancellation.Token, parentProcessId: parent.Id);
            Assert.False(simulator.HasExited);

            // Act
            parent.Kill();
            await parent.WaitForExitAsync(_cancellation.Token);

            // Assert
            await Poll.UntilAsync(() => simulator.HasExited, "the simulator stops after its parent exited", SimulatorHost.HangGuard);
            Assert.True(_logger.Contains($"Parent process {parent.Id} has exited; stopping"), string.Join('\n', _logger.Lines));
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill();
            }
        }
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ThrowsWithTheChildsLastOutput()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(ConfigurationArgument.Of(SimulatorOptions.SectionName, nameof(SimulatorOptions.MaxSessions), 0)));

        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSessions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MissingProgram_ThrowsFileNotFound()
    {
        var missing = Path.Combine(AppContext.BaseDirectory, "no-such-envsim.dll");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() =>
            SimulatorProcess.StartAsync(missing, _socketPath, [], _logger, SimulatorHost.HangGuard, _cancellation.Token));

        Assert.Equal(missing, error.FileName);
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        File.Delete(_socketPath);
    }

    private static async Task SignalAsync(string signal, int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    private Task<SimulatorProcess> StartAsync(params string[] extraArguments) =>
        SimulatorProcess.StartAsync(EnvSimPath, _socketPath, extraArguments, _logger, SimulatorHost.HangGuard, _cancellation.Token);
}

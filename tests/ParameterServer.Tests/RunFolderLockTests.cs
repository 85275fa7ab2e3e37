using A3cGrpc.Contracts.V1;
using A3cGrpc.ParameterServer.Runs;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.TestSupport;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class RunFolderLockTests
{
    [Fact]
    public void Acquire_FolderHeldByAnotherServer_FailsAfterTheWaitNamingTheFolder()
    {
        using var folder = new TempDirectory();
        using var held = RunFolderLock.Acquire(folder.Path, TimeSpan.Zero);

        var error = Assert.Throws<InvalidOperationException>(() => RunFolderLock.Acquire(folder.Path, TimeSpan.FromMilliseconds(300)));

        Assert.Contains(folder.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("in use by another parameter server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_HolderReleasesWhileWaiting_Succeeds()
    {
        using var folder = new TempDirectory();
        var held = RunFolderLock.Acquire(folder.Path, TimeSpan.Zero);

        var waiting = Task.Run(() => RunFolderLock.Acquire(folder.Path, Poll.Timeout));
        await Task.Delay(200);
        held.Dispose();
        using var acquired = await waiting;

        Assert.True(File.Exists(Path.Combine(folder.Path, RunFolderLock.FileName)));
    }

    [Fact]
    public async Task Start_RunFolderOfARunningServer_WaitsForItsFinalCheckpointAndResumesIt()
    {
        using var folder = new TempDirectory();
        using var learner = TestModel.Learner();
        var first = ServerHost.Start(folder.Path);
        await Poll.UntilAsync(
            async () => await first.Policy.ListModelVersionsAsync(new ListModelVersionsRequest()),
            v => v.PinnableVersions.Contains(1),
            "the checkpoint of the start evaluation");
        await first.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1"), ServerHost.PushAuth);

        // Only the first server's final checkpoint holds version 2: a second server that did not wait would resume version 1.
        var second = Task.Run(() => ServerHost.Start(folder.Path));
        await Task.Delay(200);
        await first.DisposeAsync();
        await using var resumed = await second;
        var status = await resumed.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal(2, status.Progress.Counters.ModelVersion);
    }
}

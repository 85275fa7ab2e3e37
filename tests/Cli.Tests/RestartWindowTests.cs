using A3cGrpc.Cli.Launcher;

namespace A3cGrpc.Cli.Tests;

/// <summary>The launcher's rule for restarting a process that died: N deaths within a window end the run.</summary>
public sealed class RestartWindowTests
{
    private static readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ServerRule_ThirdDeathWithinAMinute_EndsTheRun()
    {
        var rule = RestartWindow.ForServer();

        Assert.True(rule.RecordDeath(_start));
        Assert.True(rule.RecordDeath(_start.AddSeconds(20)));
        Assert.False(rule.RecordDeath(_start.AddSeconds(59)));
        Assert.Equal(3, rule.RecentDeaths);
    }

    [Fact]
    public void DeathsOlderThanTheWindow_AreForgotten()
    {
        var rule = new RestartWindow(3, TimeSpan.FromSeconds(60));

        Assert.True(rule.RecordDeath(_start));
        Assert.True(rule.RecordDeath(_start.AddSeconds(30)));
        // The first death is exactly a window old: only two count.
        Assert.True(rule.RecordDeath(_start.AddSeconds(60)));
        Assert.Equal(2, rule.RecentDeaths);
        Assert.False(rule.RecordDeath(_start.AddSeconds(89)));
    }

    [Fact]
    public void DeathsSpreadOut_AreRestartedForever()
    {
        var rule = new RestartWindow(3, TimeSpan.FromSeconds(60));

        for (var i = 0; i < 100; i++)
        {
            Assert.True(rule.RecordDeath(_start.AddSeconds(31 * i)), $"death {i + 1}");
        }

        Assert.Equal(2, rule.RecentDeaths);
    }

    [Fact]
    public void OneDeathAllowed_EndsAtTheFirst()
    {
        Assert.False(new RestartWindow(1, TimeSpan.FromSeconds(1)).RecordDeath(_start));
    }

    [Fact]
    public void DeathsOutOfOrder_AreRefused()
    {
        var rule = new RestartWindow(3, TimeSpan.FromSeconds(60));
        rule.RecordDeath(_start.AddSeconds(10));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => rule.RecordDeath(_start));
        Assert.Contains("in order", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 60)]
    [InlineData(3, 0)]
    public void BadRule_IsRefused(int maxDeaths, int windowSeconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartWindow(maxDeaths, TimeSpan.FromSeconds(windowSeconds)));
    }
}

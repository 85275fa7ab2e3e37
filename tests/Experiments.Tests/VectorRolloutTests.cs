using A3cGrpc.Experiments.SingleProcess;
using A3cGrpc.Learning;
using A3cGrpc.Simulation;

namespace A3cGrpc.Experiments.Tests;

/// <summary>The single-process trainer's acting side on its own: when updates are due and which episodes count.</summary>
public sealed class VectorRolloutTests
{
    [Fact]
    public void Step_InLockStep_AnUpdateEveryNStepsAndOneMoreWithTheLeftover_EpisodesEndTogether()
    {
        var hyper = new A3cHyperparameters { NSteps = 3, Environments = 2, HiddenSizes = [16] };
        var (batches, episodes) = Run(hyper, steps: SwingUpConstants.MaxEpisodeSteps);

        // 1000 = 333 * 3 + 1: 333 full windows per environment, then one of a single transition at the episode's end.
        Assert.Equal(334, batches.Count);
        Assert.Equal(Enumerable.Range(1, 333).Select(j => 3 * j).Append(1000), batches.Select(b => b.Step));
        Assert.All(batches.Take(333), b => Assert.Equal([3, 3], b.Windows.Select(w => w.Count)));
        Assert.Equal([1, 1], batches[^1].Windows.Select(w => w.Count));
        Assert.Equal(2, episodes.Count);
        Assert.All(episodes, e => Assert.Equal(SwingUpConstants.MaxEpisodeSteps, e.Step));
    }

    [Fact]
    public void Step_Staggered_AnUpdateEveryNSteps_CutFirstEpisodesAreNotCounted()
    {
        var hyper = new A3cHyperparameters { NSteps = 8, Environments = 4, StaggerEpisodes = true, HiddenSizes = [16] };
        var (batches, episodes) = Run(hyper, steps: 2 * SwingUpConstants.MaxEpisodeSteps);

        // A window closed by an episode's end joins the next update: each update holds K x n transitions.
        Assert.Equal(Enumerable.Range(1, 250).Select(j => 8 * j), batches.Select(b => b.Step));
        Assert.All(batches, b => Assert.Equal(4 * 8, b.Windows.Sum(w => w.Count)));
        Assert.Contains(batches, b => b.Windows.Length > 4);

        // Environment i's first episode is cut at (i + 1)/4 of the limit; only whole episodes are reported: the last
        // environment's first (at 1000), then the others' second (at 1250, 1500, 1750).
        Assert.Equal([1000, 1250, 1500, 1750, 2000], episodes.Select(e => e.Step));
    }

    private static (List<(int Step, NStepWindow[] Windows)> Batches, List<(int Step, double Return)> Episodes) Run(A3cHyperparameters hyper, int steps)
    {
        TorchRuntime.Initialize(1);
        using var model = ActorCritic.Create(hyper, seed: 3);
        using var rollout = new VectorRollout(hyper, seed: 3, model);
        var batches = new List<(int, NStepWindow[])>();
        var episodes = new List<(int, double)>();
        for (var step = 1; step <= steps; step++)
        {
            var result = rollout.Step(episodes.Count);
            if (result.Batch is { } batch)
            {
                batches.Add((step, batch));
            }

            episodes.AddRange(result.FinishedEpisodes.Select(r => (step, r)));
        }

        return (batches, episodes);
    }
}

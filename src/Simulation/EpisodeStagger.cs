namespace A3cGrpc.Simulation;

/// <summary>
/// Staggered episodes: K environments that start together would share every phase of every episode (all swinging up
/// at once, all balancing at once), so every update would learn from K copies of one moment. Cutting the first episode
/// of environment i after (i + 1)/K of the time limit (a truncation like the time limit's own) spreads their episodes
/// evenly over the episode's length from then on.
/// </summary>
public static class EpisodeStagger
{
    /// <summary>The length of environment <paramref name="index"/>'s first episode among <paramref name="count"/>: ⌊(i + 1)·1000 / K⌋ steps.</summary>
    public static int FirstEpisodeSteps(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return (int)((long)(index + 1) * SwingUpConstants.MaxEpisodeSteps / count);
    }
}

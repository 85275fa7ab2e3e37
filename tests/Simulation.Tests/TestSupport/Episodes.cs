namespace A3cGrpc.Simulation.Tests.TestSupport;

/// <summary>Action schedules and episode runners shared by the spec tests.</summary>
internal static class Episodes
{
    /// <summary>The open-loop schedule of docs/env-spec.md §5.6: +1 for steps 1-15, −1 for 16-40, +0.5 for 41-60, 0 after.</summary>
    public static double GoldenAction(int step) => step switch
    {
        <= 15 => 1.0,
        <= 40 => -1.0,
        <= 60 => 0.5,
        _ => 0.0,
    };

    /// <summary>A fixed pseudo-random action in [−1.2, 1.2] (so clipping is exercised), from a seeded generator.</summary>
    public static double[] RandomActions(int seed, int count)
    {
        var random = new Random(seed);
        var actions = new double[count];
        for (var i = 0; i < count; i++)
        {
            actions[i] = (random.NextDouble() * 2.4) - 1.2;
        }

        return actions;
    }

    /// <summary>Resets to 3.1415 + u and applies <paramref name="action"/>(step) for <paramref name="steps"/> steps.</summary>
    /// <returns>The observation after each step (index 0 is step 1), the unwrapped θ after each step, and the return.</returns>
    public static (double[][] Observations, double[] Thetas, double Return) Run(double thetaOffset, int steps, Func<int, double> action)
    {
        using var env = new CartPoleSwingUpEnv(seed: 0);
        env.Reset(thetaOffset);
        var observations = new double[steps][];
        var thetas = new double[steps];
        var total = 0.0;
        for (var n = 1; n <= steps; n++)
        {
            var result = env.Step([action(n)]);
            observations[n - 1] = result.Observation;
            thetas[n - 1] = env.Theta;
            total += result.Reward;
        }

        return (observations, thetas, total);
    }
}

using A3cGrpc.Simulation;

namespace A3cGrpc.EnvSim.Tests.TestSupport;

/// <summary>
/// A local <see cref="VectorSwingUpEnv"/> driven the way the simulator's contract says: float actions in, float
/// observations and rewards out, a truncated environment's final observation kept and the environment reset at once.
/// </summary>
public sealed class ReferenceEnvironments : IDisposable
{
    private const int ObservationSize = SwingUpConstants.ObservationSize;

    private readonly VectorSwingUpEnv _environments;
    private readonly double[] _actions;
    private readonly double[] _rewards;

    public ReferenceEnvironments(int count, int baseSeed)
    {
        _environments = new VectorSwingUpEnv(count, baseSeed);
        _environments.ResetAll();
        _actions = new double[count];
        _rewards = new double[count];
        Truncated = new bool[count];
        Rewards = new float[count];
        Observations = new float[count * ObservationSize];
        FinalObservations = new float[count * ObservationSize];
        _environments.CopyObservationsTo(Observations);
    }

    public float[] Observations { get; }

    public float[] Rewards { get; }

    public bool[] Truncated { get; }

    /// <summary>Row i: the observation environment i's episode ended on at the last step (when truncated).</summary>
    public float[] FinalObservations { get; }

    public void Step(ReadOnlySpan<float> actions)
    {
        for (var i = 0; i < _actions.Length; i++)
        {
            _actions[i] = actions[i];
        }

        _environments.Step(_actions, _rewards, Truncated);
        for (var i = 0; i < _actions.Length; i++)
        {
            Rewards[i] = (float)_rewards[i];
            if (Truncated[i])
            {
                var final = _environments.GetObservation(i);
                for (var j = 0; j < ObservationSize; j++)
                {
                    FinalObservations[(i * ObservationSize) + j] = (float)final[j];
                }

                _environments.Reset(i);
            }
        }

        _environments.CopyObservationsTo(Observations);
    }

    /// <summary>Actions in [-1.5, 1.5] (some outside the action space, to exercise clipping), one row per step.</summary>
    public static float[][] RandomActions(int count, int steps, int seed)
    {
        var random = new Random(seed);
        var rows = new float[steps][];
        for (var n = 0; n < steps; n++)
        {
            rows[n] = new float[count];
            for (var i = 0; i < count; i++)
            {
                rows[n][i] = (float)((3 * random.NextDouble()) - 1.5);
            }
        }

        return rows;
    }

    public void Dispose() => _environments.Dispose();
}

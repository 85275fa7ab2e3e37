using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// The learned policy as the evaluator drives it: action = μ (no sampling), clipped to [-1, 1] by the
/// environment; one batched no-grad forward pass per step for all evaluation environments.
/// </summary>
public sealed class MeanActionPolicy(ActorCriticPolicy policy) : IBatchPolicy
{
    private readonly ActorCriticPolicy _policy = policy ?? throw new ArgumentNullException(nameof(policy));
    private float[] _observations = [];
    private float[] _actions = [];
    private float[] _mu = [];
    private float[] _std = [];
    private float[] _values = [];

    /// <inheritdoc />
    public string Name => "mu";

    /// <inheritdoc />
    public void Act(ReadOnlySpan<double> observations, Span<double> actions)
    {
        var batch = actions.Length;
        if (_actions.Length != batch)
        {
            _observations = new float[observations.Length];
            _actions = new float[batch];
            _mu = new float[batch];
            _std = new float[batch];
            _values = new float[batch];
        }

        for (var i = 0; i < observations.Length; i++)
        {
            _observations[i] = (float)observations[i];
        }

        _policy.Act(_observations, _actions, _mu, _std, _values, deterministic: true);
        for (var i = 0; i < batch; i++)
        {
            actions[i] = _actions[i];
        }
    }
}

namespace A3cGrpc.Learning;

/// <summary>How the policy mean μ is made from the actor head's output z.</summary>
public enum PolicyMeanKind
{
    /// <summary>The seed's <c>μ = clamp(MuScale · tanh(z), low, high)</c>: no gradient once |MuScale · tanh(z)| passes a bound.</summary>
    ClampedTanh,

    /// <summary><c>μ = z</c>, unbounded; the action is clipped only where it enters the environment, so μ always has a gradient.</summary>
    Linear,
}

/// <summary>How the policy's standard deviation σ is made.</summary>
public enum PolicyStdKind
{
    /// <summary>The seed's head: <c>σ = softplus(Linear(h)) + StdEpsilon</c>, a function of the state.</summary>
    SoftplusHead,

    /// <summary>
    /// A learned log σ per action dimension that does not depend on the state (parameter <c>log_std</c>), clamped to
    /// [MinLogStd, MaxLogStd] in the forward pass.
    /// </summary>
    StateIndependent,
}

/// <summary>The non-linearity after each hidden layer.</summary>
public enum HiddenActivation
{
    /// <summary>max(x, 0) (the seed).</summary>
    ReLU,

    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>How an update's per-transition losses are combined.</summary>
public enum LossReduction
{
    /// <summary>Summed (the seed): the step grows with the number of transitions per update.</summary>
    Sum,

    /// <summary>Averaged over the update's transitions.</summary>
    Mean,
}

namespace A3cGrpc.Simulation;

/// <summary>What one <see cref="CartPoleSwingUpEnv.Step(ReadOnlySpan{double})"/> returns (gym's <c>(obs, reward, done, info)</c>).</summary>
/// <param name="Observation">A new array <c>[x, vx, cos θ, sin θ, θ̇]</c> read after the physics step.</param>
/// <param name="Reward">cos θ after the step, in [−1, 1].</param>
/// <param name="Terminated">Always <see langword="false"/>: the swing-up variant never ends an episode early (docs/env-spec.md §1 done).</param>
/// <param name="Truncated"><see langword="true"/> on the step that reaches <see cref="SwingUpConstants.MaxEpisodeSteps"/>.</param>
/// <param name="StepIndex">1-based index of this step within the episode.</param>
public readonly record struct StepResult(double[] Observation, double Reward, bool Terminated, bool Truncated, int StepIndex);

/// <summary>What the allocation-free <see cref="CartPoleSwingUpEnv.Step(ReadOnlySpan{double}, Span{double})"/> returns; the observation goes to the caller's buffer.</summary>
/// <param name="Reward">cos θ after the step, in [−1, 1].</param>
/// <param name="Terminated">Always <see langword="false"/> (docs/env-spec.md §1 done).</param>
/// <param name="Truncated"><see langword="true"/> on the step that reaches <see cref="SwingUpConstants.MaxEpisodeSteps"/>.</param>
/// <param name="StepIndex">1-based index of this step within the episode.</param>
public readonly record struct StepOutcome(double Reward, bool Terminated, bool Truncated, int StepIndex);

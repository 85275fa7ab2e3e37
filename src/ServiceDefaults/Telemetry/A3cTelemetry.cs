namespace A3cGrpc.ServiceDefaults.Telemetry;

/// <summary>
/// The one place for telemetry names: activity sources, span names, attribute keys and the meter. Every n-step
/// update is one trace: <see cref="UpdateSpan"/> on the worker (root) with children <see cref="PullSpan"/>,
/// <see cref="RolloutSpan"/> (continued on the simulator as <see cref="SimulatorRolloutSpan"/>),
/// <see cref="BackwardSpan"/> and <see cref="PushSpan"/> (continued on the parameter server as
/// <see cref="ApplyGradientsSpan"/>) through W3C trace context over gRPC.
/// </summary>
public static class A3cTelemetry
{
    /// <summary>Activity source of the worker.</summary>
    public const string WorkerSourceName = "A3cGrpc.Worker";

    /// <summary>Activity source of the parameter server.</summary>
    public const string ServerSourceName = "A3cGrpc.ParameterServer";

    /// <summary>Activity source of the simulator process.</summary>
    public const string SimulatorSourceName = "A3cGrpc.EnvSim";

    /// <summary>The meter every A3cGrpc process records its metrics with.</summary>
    public const string MeterName = "A3cGrpc";

    /// <summary>Polly's meter (resilience events), exported alongside ours.</summary>
    public const string PollyMeterName = "Polly";

    /// <summary>The root span of one n-step update, on the worker.</summary>
    public const string UpdateSpan = "a3c.update";

    /// <summary>Pulling parameters (only when the update does not start from its last push's reply: see <see cref="Attributes.Pulled"/>).</summary>
    public const string PullSpan = "a3c.pull";

    /// <summary>The n-step rollout against the simulator.</summary>
    public const string RolloutSpan = "a3c.rollout";

    /// <summary>The simulator's side of one rollout (one span, not one per physics step).</summary>
    public const string SimulatorRolloutSpan = "a3c.envsim.rollout";

    /// <summary>Loss and backward pass on the worker.</summary>
    public const string BackwardSpan = "a3c.backward";

    /// <summary>Pushing gradients.</summary>
    public const string PushSpan = "a3c.push";

    /// <summary>Applying one push on the parameter server (one optimiser step).</summary>
    public const string ApplyGradientsSpan = "a3c.apply_gradients";

    /// <summary>Attribute keys.</summary>
    public static class Attributes
    {
        /// <summary>The worker's id.</summary>
        public const string WorkerId = "a3c.worker.id";

        /// <summary>The worker's update number (1, 2, ...).</summary>
        public const string UpdateNumber = "a3c.update.number";

        /// <summary>The update's idempotency key.</summary>
        public const string UpdateId = "a3c.update.id";

        /// <summary>n of the n-step window.</summary>
        public const string NSteps = "a3c.n_steps";

        /// <summary>Environments stepped in lock step.</summary>
        public const string Environments = "a3c.environments";

        /// <summary>The model version the gradients were computed on.</summary>
        public const string BaseVersion = "a3c.base_version";

        /// <summary>The version after the push was applied.</summary>
        public const string NewVersion = "a3c.new_version";

        /// <summary>Sum of the rollout's rewards.</summary>
        public const string RewardSum = "a3c.reward_sum";

        /// <summary>Versions applied between the base version and this push.</summary>
        public const string Staleness = "a3c.staleness";

        /// <summary>Environment steps in the rollout (all environments).</summary>
        public const string EnvironmentSteps = "a3c.environment_steps";

        /// <summary>
        /// On the update span: true when the update pulled its weights (a <see cref="PullSpan"/> child), false when it
        /// started from the weights its previous push's reply carried (no pull).
        /// </summary>
        public const string Pulled = "a3c.pulled";

        /// <summary>True when a push was a retried duplicate.</summary>
        public const string Duplicate = "a3c.duplicate";

        /// <summary>Global L2 norm of a pushed gradient, as the server computed it (before any clipping).</summary>
        public const string GradientNorm = "a3c.gradient_norm";
    }

    /// <summary>Metric instrument names (all in <see cref="MeterName"/>).</summary>
    public static class Metrics
    {
        /// <summary>Environment steps taken (counter; its rate is env steps/s).</summary>
        public const string EnvironmentSteps = "a3c.environment_steps";

        /// <summary>Updates applied or pushed (counter; its rate is updates/s).</summary>
        public const string Updates = "a3c.updates";

        /// <summary>Staleness of pushes (histogram, versions).</summary>
        public const string Staleness = "a3c.staleness";

        /// <summary>Push latency (histogram, ms).</summary>
        public const string PushDuration = "a3c.push.duration";

        /// <summary>Pull latency (histogram, ms).</summary>
        public const string PullDuration = "a3c.pull.duration";

        /// <summary>Training episode returns (histogram).</summary>
        public const string EpisodeReturn = "a3c.episode.return";

        /// <summary>Latest evaluation mean return (gauge).</summary>
        public const string EvaluationMean = "a3c.evaluation.mean_return";
    }
}

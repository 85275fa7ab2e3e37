namespace A3cGrpc.ParameterServer.Telemetry;

/// <summary>The parameter server's life-cycle log messages (source-generated).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "New run in {RunDirectory}: seed {Seed}, hidden sizes [{HiddenSizes}], n = {NSteps}, learning rate {LearningRate}")]
    public static partial void NewRun(ILogger logger, string runDirectory, int seed, string hiddenSizes, int nSteps, double learningRate);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Resumed {RunDirectory} from its checkpoint of {SavedAt:u}: version {Version}, {EnvironmentSteps} environment steps, "
            + "{Updates} updates, {Episodes} episodes, {ElapsedSeconds:F1} s trained, {Evaluations} evaluations")]
    public static partial void Resumed(
        ILogger logger, string runDirectory, DateTimeOffset savedAt, long version, long environmentSteps, long updates, long episodes,
        double elapsedSeconds, int evaluations);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Training finished ({Reason}) at version {Version}: {EnvironmentSteps} environment steps, {Updates} updates, "
            + "{ElapsedSeconds:F1} s; further pushes are refused")]
    public static partial void Finished(ILogger logger, string reason, long version, long environmentSteps, long updates, double elapsedSeconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The best policy kept was version {BestVersion}, newer than the checkpoint resumed ({Version}); it is dropped (those versions are trained again)")]
    public static partial void BestPolicyDropped(ILogger logger, long bestVersion, long version);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Best policy: version {Version}, evaluation mean {Mean:F1}; confirmed on {Episodes} other episodes: {ConfirmedMean:F1} +- {ConfirmedStd:F1}")]
    public static partial void BestPolicyConfirmed(ILogger logger, long version, double mean, int episodes, double confirmedMean, double confirmedStd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint ({Why}) written at version {Version}, {EnvironmentSteps} environment steps")]
    public static partial void CheckpointWritten(ILogger logger, string why, long version, long environmentSteps);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Push {UpdateId} of {WorkerId} (gradient norm {GradientNorm:G4}) gave non-finite weights or Adam moments: the step was undone and the push refused")]
    public static partial void UnsafeStepUndone(ILogger logger, string workerId, string updateId, double gradientNorm);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Checkpoint ({Why}) not written: {Reason}")]
    public static partial void CheckpointRefused(ILogger logger, string why, string reason);

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "ParameterServer:PolicyPort is {Port}, but the server listens on [{Addresses}]: add an address on that port to its URLs (e.g. --urls \"http://+:5000;http://+:{Port}\"); stopping")]
    public static partial void PolicyPortNotListening(ILogger logger, int port, string addresses);
}

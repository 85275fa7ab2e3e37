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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checkpoint ({Why}) written at version {Version}, {EnvironmentSteps} environment steps")]
    public static partial void CheckpointWritten(ILogger logger, string why, long version, long environmentSteps);
}

namespace A3cGrpc.Experiments.Reporting;

/// <summary>One finished training episode: its return and where training stood when it ended.</summary>
public sealed record TrainingEpisode(long Episode, long EnvSteps, double WallSeconds, double Return);

using A3cGrpc.Contracts.V1;

namespace A3cGrpc.Cli.Launcher;

/// <summary>Hears what a <see cref="LocalCluster"/> run does (the console shows it).</summary>
internal interface ILocalClusterObserver
{
    /// <summary>A line about the processes (started, restarted, stopping).</summary>
    void OnMessage(string message);

    /// <summary>A progress snapshot from the parameter server.</summary>
    void OnProgress(Progress progress);

    /// <summary>A new evaluation of the global policy.</summary>
    void OnEvaluation(EvaluationRecord evaluation);

    /// <summary>The run reached the solve threshold.</summary>
    void OnSolved(Solved solved);
}

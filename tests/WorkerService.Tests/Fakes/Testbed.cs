using System.Diagnostics.Metrics;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace A3cGrpc.WorkerService.Tests.Fakes;

/// <summary>
/// A worker's surroundings in memory: a <see cref="FakeParameterServer"/> at <see cref="ServerVersion"/> describing the
/// default preset with K = <see cref="Environments"/> and n = <see cref="NSteps"/> (small, so an update takes
/// milliseconds on the CPU), a <see cref="FakeSimulator"/> of its sizes, real metrics and a recording logger. Builds
/// update steps and workers on them; disposes the learners it made.
/// </summary>
internal sealed class Testbed : IDisposable
{
    public const string WorkerId = "worker-test";
    public const int Environments = 3;
    public const int NSteps = 4;
    public const long ServerVersion = 7;
    public const int Seed = 11;

    /// <summary>How long a test waits for the worker before it fails as hung.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;
    private readonly List<IDisposable> _owned = [];

    public Testbed()
    {
        var hyperparameters = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        hyperparameters.Environments = Environments;
        hyperparameters.NSteps = NSteps;
        Server = new FakeParameterServer(hyperparameters, ServerVersion);
        Hyperparameters = HyperparameterWire.FromDescription(Server.Describe());
        Simulator = new FakeSimulator(Hyperparameters.ObservationSize, Hyperparameters.ActionSize);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new WorkerMetrics(_services.GetRequiredService<IMeterFactory>(), WorkerId);
    }

    /// <summary>The hyper-parameters as a worker reads them from the server's description.</summary>
    public A3cHyperparameters Hyperparameters { get; }

    public FakeParameterServer Server { get; }

    public FakeSimulator Simulator { get; }

    public WorkerMetrics Metrics { get; }

    public RecordingLogger<A3cWorker> Logger { get; } = new();

    public FakeLifetime Lifetime { get; } = new();

    /// <summary>A step as the worker makes it, on a new learner and policy.</summary>
    public UpdateStep CreateStep(TimeSpan? pushGrace = null)
    {
        var learner = Own(new GradientLearner(Hyperparameters, Seed));
        var policy = Own(new ActorCriticPolicy(learner.Model, Seed));
        return new UpdateStep(WorkerId, learner, policy, new Rollout(Hyperparameters, Environments), Server, Metrics, Logger, pushGrace);
    }

    /// <summary>A session as the worker opens it for <paramref name="step"/> (its episodes reset).</summary>
    public FakeEnvironmentSession OpenSession(UpdateStep step)
    {
        var session = Simulator.OpenSession(step.Rollout.Environments, step.Rollout.StaggersEpisodes);
        step.Rollout.ResetEpisodes();
        return session;
    }

    /// <summary>A worker that stops after <paramref name="maxUpdates"/> updates and polls a finished server every 10 ms.</summary>
    public A3cWorker CreateWorker(long maxUpdates)
    {
        var options = new WorkerOptions { WorkerId = WorkerId, Seed = Seed, MaxUpdates = maxUpdates };
        return Own(new A3cWorker(Options.Create(options), Server, Simulator, Metrics, Lifetime, Logger)
        {
            FinishedPollInterval = TimeSpan.FromMilliseconds(10),
        });
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _services.Dispose();
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}

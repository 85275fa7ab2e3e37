using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.Simulation;
using TorchSharp;

namespace A3cGrpc.Cli.Benchmarks;

/// <summary>
/// The single-process costs that bound training speed: an environment step (one env; K envs stepped
/// together), the network's forward pass at batch 1 and batch K, and one n-step update.
/// </summary>
internal static class CoreBenchmarks
{
    public static IReadOnlyList<Measurement> Run(int vectorSize, int repetitions, Action<string> log)
    {
        TorchRuntime.Initialize();
        var results = new List<Measurement>();
        void Add(Measurement m)
        {
            results.Add(m);
            log($"{m.Name}: median {m.MedianMicroseconds:F2} µs/{m.Unit} ({m.OperationsPerSecond:F0} {m.Unit}/s)");
        }

        // 1. One environment, constant-magnitude alternating pushes, reset at truncation.
        using (var env = new CartPoleSwingUpEnv(seed: 7))
        {
            var observation = new double[SwingUpConstants.ObservationSize];
            var action = new double[1];
            env.Reset(observation);
            var sign = 1.0;
            Add(Measurement.Run("env_step_single", "step", repetitions, 20_000,
                "CartPoleSwingUpEnv.Step through P/Invoke (one Bullet world), including resets every 1000 steps",
                () =>
                {
                    sign = -sign;
                    action[0] = 0.5 * sign;
                    if (env.Step(action, observation).Truncated)
                    {
                        env.Reset(observation);
                    }
                }));
        }

        // 2. K environments in one call; reported per environment step.
        using (var envs = new VectorSwingUpEnv(vectorSize, baseSeed: 11))
        {
            envs.ResetAll();
            var actions = new double[vectorSize];
            var rewards = new double[vectorSize];
            var truncated = new bool[vectorSize];
            var steps = 0;
            var perCall = Measurement.Run($"env_step_vector_k{vectorSize}", "call", repetitions, 2_000,
                $"VectorSwingUpEnv.Step for K = {vectorSize} environments in one native call",
                () =>
                {
                    if (++steps == SwingUpConstants.MaxEpisodeSteps)
                    {
                        envs.ResetAll();
                        steps = 0;
                    }

                    envs.Step(actions, rewards, truncated);
                });
            Add(perCall);
            Add(perCall with
            {
                Name = $"env_step_vector_k{vectorSize}_per_env",
                Unit = "step",
                MedianMicroseconds = perCall.MedianMicroseconds / vectorSize,
                P10Microseconds = perCall.P10Microseconds / vectorSize,
                P90Microseconds = perCall.P90Microseconds / vectorSize,
                OperationsPerSecond = perCall.OperationsPerSecond * vectorSize,
                Notes = "the same measurement divided by K",
            });
        }

        var hyper = new A3cHyperparameters();
        using var model = ActorCritic.Create(hyper, seed: 3);
        using var policy = new ActorCriticPolicy(model, seed: 3);
        var single = new float[SwingUpConstants.ObservationSize];

        // 3. Forward passes: sampling at batch 1 (the training path) and the mean action at batch K (evaluation).
        Add(Measurement.Run("policy_sample_batch1", "call", repetitions, 2_000,
            "no-grad forward of one observation and a Normal sample (5-512-256 network, 1 thread)",
            () => policy.Act(single)));
        var batchObservations = new double[vectorSize * SwingUpConstants.ObservationSize];
        var batchActions = new double[vectorSize];
        var meanPolicy = new MeanActionPolicy(policy);
        Add(Measurement.Run($"policy_mean_batch{vectorSize}", "call", repetitions, 1_000,
            $"no-grad forward of {vectorSize} observations in one batch, action = mu",
            () => meanPolicy.Act(batchObservations, batchActions)));

        // 4. One n-step update (forward with grad over the window, backward, Adam) for n = 1 and the default n,
        //    and, for the default n, its parts: the loss alone, loss + backward, and the Adam step alone.
        foreach (var n in new[] { 1, hyper.NSteps })
        {
            using var learner = new GlobalLearner(new A3cHyperparameters { NSteps = n }, seed: 5);
            var window = RandomWindow(n, seed: 9);
            Add(Measurement.Run($"nstep_update_n{n}", "update", repetitions, 200,
                $"GlobalLearner.Update on an {n}-transition window: loss, backward, Adam step",
                () => learner.Update(window)));
            if (n != hyper.NSteps)
            {
                continue;
            }

            Add(Measurement.Run($"nstep_loss_n{n}", "call", repetitions, 200,
                "NStepLoss.Compute alone: the window's forward with gradient, the next states' no-grad forward, targets, log-probs",
                () =>
                {
                    using var scope = torch.NewDisposeScope();
                    NStepLoss.Compute(learner.Model, window, learner.Hyperparameters);
                }));
            Add(Measurement.Run($"nstep_loss_backward_n{n}", "call", repetitions, 200,
                "NStepLoss.Compute and backward (gradients zeroed first), no optimiser step",
                () =>
                {
                    using var scope = torch.NewDisposeScope();
                    learner.Optimizer.ZeroGrad();
                    NStepLoss.Compute(learner.Model, window, learner.Hyperparameters).Total.backward();
                }));
            Add(Measurement.Run("adam_step", "step", repetitions, 200,
                "AdamOptimizer.Step alone over all 135,171 parameters (gradients left from the previous measurement)",
                () => learner.Optimizer.Step()));
            Add(Measurement.Run("step_guard", "step", repetitions, 200,
                "what the server adds to each step so that no push can poison the model: copying the weights and both Adam moments "
                + "aside (RememberState) and checking that all are finite afterwards (StateIsFinite), 135,171 parameters",
                () =>
                {
                    learner.Optimizer.RememberState();
                    _ = learner.Optimizer.StateIsFinite();
                }));
        }

        return results;
    }

    private static NStepWindow RandomWindow(int n, int seed)
    {
        var random = new Random(seed);
        float Next() => (float)((2 * random.NextDouble()) - 1);
        var buffer = new NStepBuffer(n, SwingUpConstants.ObservationSize, SwingUpConstants.ActionSize);
        var state = new float[SwingUpConstants.ObservationSize];
        var next = new float[SwingUpConstants.ObservationSize];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < state.Length; j++)
            {
                state[j] = Next();
                next[j] = Next();
            }

            buffer.Add(state, Next(), Next(), next);
        }

        return buffer.ToWindow();
    }
}

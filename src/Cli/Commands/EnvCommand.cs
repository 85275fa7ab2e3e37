using System.CommandLine;
using System.Globalization;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Simulation;

namespace A3cGrpc.Cli.Commands;

/// <summary><c>a3c env</c>: tools on the environment itself (replay actions, score fixed policies).</summary>
internal static class EnvCommand
{
    public static Command Create() =>
        new("env", "Tools on the Bullet swing-up environment.")
        {
            CreateReplay(),
            CreateBaseline(),
        };

    private static Command CreateReplay()
    {
        var thetaOffset = new Option<double>("--theta-offset", "-u")
        {
            Description = "u in the reset angle θ = 3.1415 + u (the environment draws u from [-0.1, 0.1)).",
            Required = true,
        };
        var actions = new Option<FileInfo>("--actions", "-a")
        {
            Description = "A JSON file holding an array of actions (numbers; the environment clips them to [-1, 1]).",
            Required = true,
        };
        var command = new Command(
            "replay",
            "Run a list of actions from a reset with θ = 3.1415 + u and print one JSON object per step: {\"step\": n, \"obs\": [x, vx, cos, sin, thdot], \"reward\": r}.")
        {
            thetaOffset, actions,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                var list = EnvironmentReplay.LoadActions(parse.GetValue(actions)!.FullName);
                EnvironmentReplay.Run(parse.GetValue(thetaOffset), list, output);
                return 0;
            }
            catch (ReplayInputException ex)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Command CreateBaseline()
    {
        var policy = new Option<string>("--policy", "-p")
        {
            Description = "zero (no force), random (uniform in [-1, 1)), or lqr (the spec's swing-up + LQR controller).",
            DefaultValueFactory = _ => "random",
        };
        policy.AcceptOnlyFromAmong("zero", "random", "lqr");
        var episodes = new Option<int>("--episodes")
        {
            Description = "Full 1000-step episodes.",
            DefaultValueFactory = _ => new EvaluationOptions().Episodes,
        };
        episodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--episodes must be between 1 and 1000.");
            }
        });
        var seed = new Option<int>("--seed")
        {
            Description = "Base seed of the environments (default: the evaluator's).",
            DefaultValueFactory = _ => new EvaluationOptions().Seed,
        };
        var command = new Command("baseline", "Score a fixed policy the way training scores the learned one (mean, std, min, max of full episodes).")
        {
            policy, episodes, seed,
        };
        command.SetAction(parse =>
        {
            IBatchPolicy chosen = parse.GetValue(policy) switch
            {
                "zero" => new ZeroPolicy(),
                "lqr" => new SwingUpLqrPolicy(),
                _ => new UniformRandomPolicy(parse.GetValue(seed)),
            };
            var options = new EvaluationOptions { Episodes = parse.GetValue(episodes), Seed = parse.GetValue(seed) };
            var result = new PolicyEvaluator(options).Evaluate(chosen);
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{chosen.Name}: {result.Episodes} episodes, mean {result.Mean:F3}, std {result.Std:F3}, min {result.Min:F3}, max {result.Max:F3}"));
            return 0;
        });
        return command;
    }
}

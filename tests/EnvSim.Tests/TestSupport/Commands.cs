using A3cGrpc.Contracts.V1;

namespace A3cGrpc.EnvSim.Tests.TestSupport;

/// <summary>Raw simulator commands, for tests that speak the protocol without <c>SimulatorSession</c>.</summary>
public static class Commands
{
    public static SimulatorCommand Reset(int count, int baseSeed = 1) =>
        new() { Reset = new ResetCommand { Count = count, BaseSeed = baseSeed } };

    public static SimulatorCommand Step(params float[] actions)
    {
        var step = new StepCommand();
        step.Actions.Add(actions);
        return new SimulatorCommand { Step = step };
    }
}

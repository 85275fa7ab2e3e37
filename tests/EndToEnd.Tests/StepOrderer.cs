using Xunit.Abstractions;
using Xunit.Sdk;

namespace A3cGrpc.EndToEndTests;

/// <summary>Marks a test's place in a scenario that shares one running system (<see cref="StepOrderer"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int number) : Attribute
{
    public int Number { get; } = number;
}

/// <summary>Runs a class's tests in the order of their <see cref="StepAttribute"/>: the later ones break the system on purpose.</summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "A3cGrpc.EndToEndTests.StepOrderer";

    public const string AssemblyName = "A3cGrpc.EndToEnd.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(testCase => testCase.TestMethod.Method
            .GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
            .Single()
            .GetConstructorArguments()
            .Cast<int>()
            .Single());
}

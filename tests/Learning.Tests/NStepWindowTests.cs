namespace A3cGrpc.Learning.Tests;

public sealed class NStepWindowTests
{
    [Fact]
    public void Constructor_ConsistentArrays_ExposesTransitions()
    {
        var window = new NStepWindow(2, 1, [1, 2, 3, 4], [0.5f, -1.5f], [1, -1], [3, 4, 5, 6]);

        Assert.Equal(2, window.Count);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, window.States.ToArray());
        Assert.Equal(new float[] { 0.5f, -1.5f }, window.Actions.ToArray());
        Assert.Equal(new float[] { 1, -1 }, window.Rewards.ToArray());
        Assert.Equal(new float[] { 3, 4, 5, 6 }, window.NextStates.ToArray());
    }

    [Fact]
    public void Constructor_NoTransition_Throws()
    {
        Assert.Throws<ArgumentException>(() => new NStepWindow(2, 1, [], [], [], []));
    }

    public static TheoryData<string, Func<NStepWindow>> Inconsistent() => new()
    {
        { "states", () => new NStepWindow(2, 1, [1, 2, 3], [0, 0], [1, 1], [1, 2, 3, 4]) },
        { "nextStates", () => new NStepWindow(2, 1, [1, 2, 3, 4], [0, 0], [1, 1], [1, 2]) },
        { "actions", () => new NStepWindow(2, 1, [1, 2, 3, 4], [0], [1, 1], [1, 2, 3, 4]) },
        { "rewards", () => new NStepWindow(2, 1, [1, 2, 3, 4], [0, 0], [1, float.NaN], [1, 2, 3, 4]) },
        { "states", () => new NStepWindow(2, 1, [1, float.PositiveInfinity, 3, 4], [0, 0], [1, 1], [1, 2, 3, 4]) },
        { "actions", () => new NStepWindow(2, 1, [1, 2, 3, 4], [0, float.NegativeInfinity], [1, 1], [1, 2, 3, 4]) },
    };

    [Theory]
    [MemberData(nameof(Inconsistent))]
    public void Constructor_InvalidArray_ThrowsNamingIt(string parameter, Func<NStepWindow> create)
    {
        var exception = Assert.Throws<ArgumentException>(() => create());

        Assert.Equal(parameter, exception.ParamName);
    }

    [Fact]
    public void Add_UntilCapacity_IsFullAndRefusesMore()
    {
        var buffer = new NStepBuffer(2, 2, 1);

        buffer.Add([1, 2], 0.1f, 1f, [3, 4]);
        buffer.Add([3, 4], 0.2f, 2f, [5, 6]);

        Assert.True(buffer.IsFull);
        Assert.Throws<InvalidOperationException>(() => buffer.Add([5, 6], 0.3f, 3f, [7, 8]));
    }

    [Fact]
    public void ToWindow_EpisodeEndsEarly_HoldsOnlyCollectedTransitions()
    {
        // The partial window at the end of an episode: 2 transitions in a buffer of NSteps = 8.
        var buffer = new NStepBuffer(new A3cHyperparameters { ObservationSize = 2 });
        buffer.Add([1, 2], 1.5f, 1f, [3, 4]);
        buffer.Add([3, 4], -0.5f, 2f, [5, 6]);

        var window = buffer.ToWindow();

        Assert.Equal(8, buffer.Capacity);
        Assert.Equal(2, window.Count);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, window.States.ToArray());
        Assert.Equal(new float[] { 1.5f, -0.5f }, window.Actions.ToArray());
        Assert.Equal(new float[] { 1, 2 }, window.Rewards.ToArray());
        Assert.Equal(new float[] { 3, 4, 5, 6 }, window.NextStates.ToArray());
    }

    [Fact]
    public void ToWindow_BufferReusedAfterClear_WindowKeepsItsCopy()
    {
        var buffer = new NStepBuffer(2, 1, 1);
        buffer.Add([1], 0f, 1f, [2]);
        var window = buffer.ToWindow();

        buffer.Clear();
        buffer.Add([9], 0f, 9f, [9]);

        Assert.Equal(new float[] { 1 }, window.States.ToArray());
        Assert.Equal(1, buffer.Count);
    }

    [Fact]
    public void ToWindow_Empty_Throws()
    {
        var buffer = new NStepBuffer(2, 1, 1);

        Assert.Throws<InvalidOperationException>(buffer.ToWindow);
    }

    [Fact]
    public void Add_WrongStateLength_ThrowsNamingIt()
    {
        var buffer = new NStepBuffer(2, 2, 1);

        var exception = Assert.Throws<ArgumentException>(() => buffer.Add([1, 2, 3], 0f, 1f, [1, 2]));

        Assert.Equal("state", exception.ParamName);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Add_NonFiniteReward_Throws()
    {
        var buffer = new NStepBuffer(2, 1, 1);

        Assert.Throws<ArgumentException>(() => buffer.Add([1], 0f, float.NaN, [1]));
    }
}

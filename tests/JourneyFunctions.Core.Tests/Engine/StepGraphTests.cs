using JourneyFunctions.Core.Engine;
using static JourneyFunctions.Core.Tests.Engine.MachineTestKit;

namespace JourneyFunctions.Core.Tests.Engine;

public sealed class StepGraphTests
{
    [Fact]
    public void Edges_BranchWithoutThen_InheritsNextNotTheFollowingStep()
    {
        var journey = Journey("""
            { "id": "check", "type": "branch", "if": { "tag": "vip" }, "else": "b", "next": "c" },
            { "id": "a", "type": "email", "template": "t" },
            { "id": "b", "type": "email", "template": "t" },
            { "id": "c", "type": "exit" }
            """);

        var edges = StepGraph.Of(journey).Edges(0);

        Assert.Equal(
            [new StepEdge(StepEdgeKind.Then, 3, "c", Inherited: true), new StepEdge(StepEdgeKind.Else, 2, "b", Inherited: false)],
            edges);
    }

    [Fact]
    public void Edges_LastStepExitAndDanglingTarget_AreEndNoneAndMissing()
    {
        var journey = Journey("""
            { "id": "stop", "type": "exit", "next": "a" },
            { "id": "wait-order", "type": "waitForEvent", "event": "order.placed", "timeout": "P1D", "onEvent": "nowhere" },
            { "id": "a", "type": "email", "template": "t" }
            """);

        var graph = StepGraph.Of(journey);

        Assert.Empty(graph.Edges(0));
        Assert.Equal(
            [new StepEdge(StepEdgeKind.OnEvent, StepGraph.Missing, "nowhere", Inherited: false), new StepEdge(StepEdgeKind.OnTimeout, 2, null, Inherited: true)],
            graph.Edges(1));
        Assert.Equal([new StepEdge(StepEdgeKind.Next, graph.End, null, Inherited: false)], graph.Edges(2));
    }

    [Fact]
    public void Edges_SplitPaths_CarryTheirPosition()
    {
        var journey = Journey("""
            { "id": "ab", "type": "split", "paths": [ { "percent": 50, "next": "b" }, { "percent": 50 } ] },
            { "id": "a", "type": "email", "template": "t" },
            { "id": "b", "type": "email", "template": "t" }
            """);

        Assert.Equal(
            [new StepEdge(StepEdgeKind.SplitPath, 2, "b", Inherited: false, Path: 0), new StepEdge(StepEdgeKind.SplitPath, 1, null, Inherited: true, Path: 1)],
            StepGraph.Of(journey).Edges(0));
    }
}

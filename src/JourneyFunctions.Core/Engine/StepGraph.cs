using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// Where each step of a journey goes: the one computation of step targets, read by the machine (through
/// <see cref="CompiledJourney"/>), by validation (reachability and loops without a wait) and by the journey map. It
/// only resolves ids, so it can be built for any deserialized definition, valid or not.
/// </summary>
/// <remarks>
/// A step id used twice resolves to its first occurrence. An exit step has no edges. A target that is not a step is
/// kept as <see cref="Missing"/> with the id it was written as; each reader decides what a dangling target means (the
/// machine fails the run there, validation reports it, the map draws a missing node).
/// </remarks>
internal sealed class StepGraph
{
    /// <summary>The target of an edge whose id names no step.</summary>
    public const int Missing = -1;

    private static readonly StepEdge[] NoEdges = [];

    private readonly Dictionary<string, int> _index;
    private readonly StepEdge[][] _edges;

    private StepGraph(JourneyDefinition definition)
    {
        var steps = definition.Steps;
        End = steps.Count;
        _index = new Dictionary<string, int>(steps.Count, StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            _index.TryAdd(steps[i].Id, i);
        }

        _edges = new StepEdge[steps.Count][];
        for (var i = 0; i < steps.Count; i++)
        {
            _edges[i] = EdgesOf(steps[i], i);
        }
    }

    /// <summary>The number of steps, which is also the target "past the last step": the run finishes.</summary>
    public int End { get; }

    /// <summary>Step ids (first occurrences) and their indexes.</summary>
    public IReadOnlyDictionary<string, int> Index => _index;

    public static StepGraph Of(JourneyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new StepGraph(definition);
    }

    /// <summary>The index of the step with this id (its first occurrence), or <see cref="Missing"/>.</summary>
    public int IndexOf(string? stepId) => stepId is not null && _index.TryGetValue(stepId, out var i) ? i : Missing;

    /// <summary>The ways out of step <paramref name="step"/>, in the order its definition lists them.</summary>
    public IReadOnlyList<StepEdge> Edges(int step) => _edges[step];

    private StepEdge[] EdgesOf(Step step, int i)
    {
        // Where the step goes by default; targets the step leaves unset inherit it.
        var next = step.Next is { } nextId ? IndexOf(nextId) : i + 1;
        StepEdge To(StepEdgeKind kind, string? id, int path = -1) => id is null
            ? new StepEdge(kind, next, step.Next, Inherited: true, path)
            : new StepEdge(kind, IndexOf(id), id, Inherited: false, path);

        switch (step)
        {
            case ExitStep:
                return NoEdges;
            case BranchStep branch:
                return [To(StepEdgeKind.Then, branch.Then), To(StepEdgeKind.Else, branch.Else)];
            case WaitForEventStep waitForEvent:
                return [To(StepEdgeKind.OnEvent, waitForEvent.OnEvent), To(StepEdgeKind.OnTimeout, waitForEvent.OnTimeout)];
            case SplitStep split:
                var paths = new StepEdge[split.Paths.Count];
                for (var p = 0; p < paths.Length; p++)
                {
                    paths[p] = To(StepEdgeKind.SplitPath, split.Paths[p].Next, p);
                }

                return paths;
            default:
                return [new StepEdge(StepEdgeKind.Next, next, step.Next, Inherited: false)];
        }
    }
}

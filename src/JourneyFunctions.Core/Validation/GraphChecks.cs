using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The semantic checks of the step graph (<see cref="StepGraph"/>, the same one the machine runs on): every step is
/// reachable from the first, and no loop goes round without a wait.
/// </summary>
internal sealed class GraphChecks(SemanticContext context)
{
    /// <summary>Reachability from the first step, and cycles that never pause.</summary>
    public void Check()
    {
        var steps = context.Journey.Steps;
        var n = steps.Count;
        var graph = StepGraph.Of(context.Journey);
        var edges = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            edges[i] = Successors(graph, i);
        }

        // Reachability from the first step.
        var reached = new bool[n];
        var stack = new Stack<int>();
        stack.Push(0);
        reached[0] = true;
        while (stack.Count > 0)
        {
            foreach (var next in edges[stack.Pop()])
            {
                if (!reached[next])
                {
                    reached[next] = true;
                    stack.Push(next);
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (!reached[i] && context.Index.TryGetValue(steps[i].Id, out var first) && first == i)
            {
                context.Add(SemanticContext.StepPath(i), ValidationCodes.UnreachableStep, $"step \"{steps[i].Id}\" is never reached: no path from the first step leads to it. Point a next, then/else, onEvent/onTimeout or split path at it, or remove it");
            }
        }

        // Cycles among steps that do not wait: a run would go round them without pause.
        foreach (var component in StronglyConnected(edges, i => steps[i] is not (WaitStep or WaitForEventStep)))
        {
            var names = component.OrderBy(i => i).Select(i => $"\"{steps[i].Id}\"");
            var first = component.Min();
            context.Add(SemanticContext.StepPath(first), ValidationCodes.LoopWithoutWait, $"steps {string.Join(", ", names)} form a loop with no wait in it: a contact would go round it without pause (and could get an email on every turn). Add a wait or waitForEvent step to the loop, or end it");
        }
    }

    /// <summary>The distinct steps a step can go to (the end of the journey is not a step).</summary>
    private List<int> Successors(StepGraph graph, int i)
    {
        var result = new List<int>(2);
        foreach (var edge in graph.Edges(i))
        {
            var target = edge.Target == StepGraph.Missing ? Resolve(edge.TargetId!) : edge.Target;
            if (target >= 0 && target < graph.End && !result.Contains(target))
            {
                result.Add(target);
            }
        }

        return result;
    }

    /// <summary>
    /// The step a dangling reference (already reported) most likely meant to name, so one typo does not also report
    /// every step after it as unreachable; -1 when nothing is close.
    /// </summary>
    private int Resolve(string id) =>
        Suggestions.Closest(id, context.Index.Keys) is { } meant ? context.Index[meant] : -1;

    /// <summary>
    /// Tarjan's algorithm (iterative, so a long journey cannot overflow the stack) over the nodes
    /// <paramref name="include"/> admits; yields the components that contain a cycle (two or more nodes, or a self-loop).
    /// </summary>
    private static List<List<int>> StronglyConnected(List<int>[] edges, Func<int, bool> include)
    {
        var n = edges.Length;
        var indexOf = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        Array.Fill(indexOf, -1);
        var counter = 0;
        var stack = new Stack<int>();
        var result = new List<List<int>>();
        var work = new Stack<(int Node, int Edge)>();
        for (var start = 0; start < n; start++)
        {
            if (!include(start) || indexOf[start] >= 0)
            {
                continue;
            }

            work.Push((start, 0));
            indexOf[start] = low[start] = counter++;
            stack.Push(start);
            onStack[start] = true;
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                if (edge < edges[node].Count)
                {
                    work.Push((node, edge + 1));
                    var next = edges[node][edge];
                    if (!include(next))
                    {
                        continue;
                    }

                    if (indexOf[next] < 0)
                    {
                        indexOf[next] = low[next] = counter++;
                        stack.Push(next);
                        onStack[next] = true;
                        work.Push((next, 0));
                    }
                    else if (onStack[next])
                    {
                        low[node] = Math.Min(low[node], indexOf[next]);
                    }

                    continue;
                }

                if (low[node] == indexOf[node])
                {
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    }
                    while (member != node);

                    if (component.Count > 1 || edges[node].Contains(node))
                    {
                        result.Add(component);
                    }
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }

        return result;
    }
}

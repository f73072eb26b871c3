namespace JourneyFunctions.Core.Engine;

/// <summary>One way out of a step in a <see cref="StepGraph"/>.</summary>
/// <param name="Kind">Which setting of the step the edge comes from.</param>
/// <param name="Target">The index of the target step, <see cref="StepGraph.End"/> for "past the last step" (the run
/// finishes), or <see cref="StepGraph.Missing"/> when <paramref name="TargetId"/> names no step.</param>
/// <param name="TargetId">The step id the target was written as, or null when the edge falls through to the
/// following step in the list.</param>
/// <param name="Inherited">True when the step names no target for this edge (a branch without <c>then</c>, a split
/// path without <c>next</c>), so it goes where the step's <c>next</c> goes.</param>
/// <param name="Path">The split path's position for <see cref="StepEdgeKind.SplitPath"/>, else -1.</param>
internal readonly record struct StepEdge(StepEdgeKind Kind, int Target, string? TargetId, bool Inherited, int Path = -1);

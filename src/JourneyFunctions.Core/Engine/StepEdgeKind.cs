namespace JourneyFunctions.Core.Engine;

/// <summary>Why a step goes to another: which of its settings names the target.</summary>
internal enum StepEdgeKind
{
    /// <summary>The step's <c>next</c>, or the following step in the list.</summary>
    Next,

    /// <summary>A branch whose condition holds.</summary>
    Then,

    /// <summary>A branch whose condition fails.</summary>
    Else,

    /// <summary>The event a waitForEvent step waits for arrived.</summary>
    OnEvent,

    /// <summary>A waitForEvent step's timeout passed.</summary>
    OnTimeout,

    /// <summary>One path of a split (<see cref="StepEdge.Path"/> says which).</summary>
    SplitPath,
}

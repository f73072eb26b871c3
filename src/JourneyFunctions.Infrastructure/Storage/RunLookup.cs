using System.Globalization;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Reads the generation back out of a deterministic run id (<see cref="RunIds.For"/>), so both run stores answer
/// <c>GetLatestAsync</c> the same way: the highest generation of (journey, contact, key) is the latest run.
/// </summary>
internal static class RunLookup
{
    /// <summary>The generation encoded in the run id; 1 when it carries no <c>:g=</c> suffix.</summary>
    public static int GenerationOf(RunState state)
    {
        var baseId = RunIds.For(state.JourneyId, state.ContactId, state.Key);
        if (state.RunId.Length > baseId.Length + 3
            && state.RunId.StartsWith(baseId, StringComparison.Ordinal)
            && string.CompareOrdinal(state.RunId, baseId.Length, ":g=", 0, 3) == 0
            && int.TryParse(state.RunId.AsSpan(baseId.Length + 3), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return generation;
        }

        return 1;
    }

    /// <summary>True when the run is waiting on a timer that is due at or before <paramref name="dueBy"/>.</summary>
    public static bool IsDue(RunState state, DateTimeOffset dueBy) =>
        state.Status == RunStatus.Waiting && state.Wait?.Until is { } until && until <= dueBy;
}

using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>Journey definitions with every published version. Publishing never changes runs in flight.</summary>
public interface IJourneyStore
{
    /// <summary>Stores the definition as the next version and returns it with <see cref="JourneyDefinition.Version"/> set.</summary>
    Task<JourneyDefinition> PublishAsync(JourneyDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>A given version, or the latest when <paramref name="version"/> is null.</summary>
    Task<JourneyDefinition?> GetAsync(string journeyId, int? version = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JourneySummary>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Pauses (no new entries, runs in flight hold at their next step) or resumes a journey.</summary>
    Task<bool> SetPausedAsync(string journeyId, bool paused, CancellationToken cancellationToken = default);
}

public sealed record JourneySummary(string Id, string Name, int LatestVersion, bool Paused, DateTimeOffset PublishedAt, JourneyStage? Stage, string? TriggerEvent);

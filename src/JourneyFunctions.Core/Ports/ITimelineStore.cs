using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>The contact timeline: events, decisions and emails, newest first.</summary>
public interface ITimelineStore
{
    Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default);

    Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default);
}

public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Message, string? JourneyId = null, string? RunId = null, string? StepId = null, JsonElement? Data = null);

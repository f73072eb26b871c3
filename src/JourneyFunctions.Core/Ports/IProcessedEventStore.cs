using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>Events already processed, by contact and event id (storefront retries are not second events).</summary>
public interface IProcessedEventStore
{
    Task<bool> ContainsAsync(string contactId, string eventId, CancellationToken cancellationToken = default);

    Task MarkAsync(string contactId, string eventId, DateTimeOffset at, CancellationToken cancellationToken = default);
}

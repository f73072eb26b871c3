using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>Suppressions keyed by a hash of the normalised address, so they survive erasing the contact.</summary>
public interface ISuppressionStore
{
    Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default);

    Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default);

    Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default);
}

public sealed record Suppression(string AddressHash, SuppressionReason Reason, DateTimeOffset At, string? Detail);

public enum SuppressionReason
{
    Unsubscribed,
    Bounced,
    Complained,
    Manual,
}

using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>
/// A short lease on a key (a contact), so that several queue-trigger invocations of the Functions app never route one
/// contact at once (its deliveries raise orchestration events outside the router's unit of work, which a routing
/// repeated after a lost race would raise twice). The built-in host needs none. Returns null when someone else holds it.
/// </summary>
public interface ILeaseStore
{
    Task<ILease?> TryAcquireAsync(string key, string owner, TimeSpan duration, CancellationToken cancellationToken = default);
}

public interface ILease : IAsyncDisposable
{
    string Key { get; }

    /// <summary>Extends the lease; false when it was lost.</summary>
    Task<bool> RenewAsync(CancellationToken cancellationToken = default);
}

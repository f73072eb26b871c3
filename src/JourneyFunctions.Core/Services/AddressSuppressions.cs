using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// The suppression list by address: every caller asks here, so the address is hashed one way (the keyed
/// <see cref="AddressHasher"/>) and suppressions written before under the plain hash keep working. A lookup that
/// finds no keyed row looks for a plain one (when <see cref="AddressHashOptions.ReadLegacyHashes"/>) and, when found,
/// re-keys it: writes the keyed row, then deletes the plain one.
/// </summary>
public sealed class AddressSuppressions(ISuppressionStore store, AddressHasher hasher, AddressHashOptions options)
{
    /// <summary>The keyed hash of <paramref name="address"/> (what a ledger row records as its recipient).</summary>
    public string HashOf(string address) => hasher.Compute(address);

    /// <summary>Whether a ledger row's recipient hash (keyed, or plain from before) is that of <paramref name="address"/>.</summary>
    public bool IsRecipient(string? recipientHash, string address) => hasher.Matches(recipientHash, address);

    public async Task<Suppression?> GetAsync(string address, CancellationToken cancellationToken = default)
    {
        var keyed = hasher.Compute(address);
        if (await store.GetAsync(keyed, cancellationToken) is { } found)
        {
            return found;
        }

        if (!options.ReadLegacyHashes)
        {
            return null;
        }

        var legacy = AddressHasher.Legacy(address);
        if (await store.GetAsync(legacy, cancellationToken) is not { } old)
        {
            return null;
        }

        // Keyed first, plain second: a crash between the two leaves both, and the next lookup finds the keyed one.
        var moved = old with { AddressHash = keyed };
        await store.AddAsync(moved, cancellationToken);
        await store.RemoveAsync(legacy, cancellationToken);
        return moved;
    }

    /// <summary>Suppresses the address unless it is already (an existing suppression and its reason are kept); true when added.</summary>
    public async Task<bool> AddAsync(string address, SuppressionReason reason, DateTimeOffset at, string? detail, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(address, cancellationToken) is not null)
        {
            return false;
        }

        await store.AddAsync(new Suppression(hasher.Compute(address), reason, at, detail), cancellationToken);
        return true;
    }
}

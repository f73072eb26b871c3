using System.Collections.Concurrent;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// The router's view of published journeys, cached for a short time so that routing an event does not read every
/// definition. Pinned versions never change, so they are cached for good. A publish, pause or resume in this process
/// invalidates at once; other instances see it within <see cref="Ttl"/>.
/// </summary>
public sealed class CachedJourneyCatalog(IJourneyStore store, TimeProvider time) : IJourneyCatalog
{
    private readonly ConcurrentDictionary<(string Id, int Version), JourneyDefinition> _versions = new();
    private volatile Snapshot? _latest;

    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<CatalogEntry>> GetLatestAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_latest is { } snapshot && now < snapshot.ExpiresAt)
        {
            return snapshot.Entries;
        }

        var summaries = await store.ListAsync(cancellationToken);
        var entries = new List<CatalogEntry>(summaries.Count);
        foreach (var summary in summaries)
        {
            var journey = await GetVersionAsync(summary.Id, summary.LatestVersion, cancellationToken);
            if (journey is not null)
            {
                entries.Add(new CatalogEntry(journey, summary.Paused));
            }
        }

        _latest = new Snapshot(entries, now + Ttl);
        return entries;
    }

    public async Task<JourneyDefinition?> GetVersionAsync(string journeyId, int version, CancellationToken cancellationToken = default)
    {
        if (_versions.TryGetValue((journeyId, version), out var cached))
        {
            return cached;
        }

        var journey = await store.GetAsync(journeyId, version, cancellationToken);
        if (journey is not null)
        {
            _versions[(journeyId, version)] = journey;
        }

        return journey;
    }

    public void Invalidate() => _latest = null;

    private sealed record Snapshot(IReadOnlyList<CatalogEntry> Entries, DateTimeOffset ExpiresAt);
}

using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>The published journeys the router matches events against: latest versions, with the paused flag.</summary>
public interface IJourneyCatalog
{
    Task<IReadOnlyList<CatalogEntry>> GetLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>A pinned version (runs keep the version they started with).</summary>
    Task<JourneyDefinition?> GetVersionAsync(string journeyId, int version, CancellationToken cancellationToken = default);

    /// <summary>Forgets cached entries after a publish, pause or resume.</summary>
    void Invalidate();
}

public sealed record CatalogEntry(JourneyDefinition Journey, bool Paused);

using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Host.Composition;

/// <summary>What publishing did: the published definition (with its version), or every problem that stopped it.</summary>
public sealed record PublishOutcome(JourneyDefinition? Journey, IReadOnlyList<ValidationError> Problems, bool Unchanged)
{
    public bool Published => Journey is not null && Problems.Count == 0;
}

/// <summary>
/// Publishing as the host does it, for the API and for the journeys folder at start: validate the text (every problem
/// with its JSON path; templates checked when a template catalog is registered), store it as the next version, and let
/// the router see it at once. A definition identical to the latest version is not stored again, so restarting the
/// host does not bump every journey's version.
/// </summary>
public sealed class JourneyPublishing(IJourneyStore store, IJourneyCatalog catalog, IServiceProvider services)
{
    public const string IdMismatch = "id-mismatch";

    public async Task<PublishOutcome> PublishAsync(string json, string? expectedId = null, CancellationToken cancellationToken = default)
    {
        var templates = services.GetService<ITemplateCatalog>() ?? services.GetService<ITemplateRenderer>();
        var result = JourneyValidator.Validate(json, templates);
        var problems = result.Errors.ToList();
        if (expectedId is not null && result.Journey is { } parsed && !string.Equals(parsed.Id, expectedId, StringComparison.Ordinal))
        {
            problems.Add(new ValidationError("$.id", IdMismatch, $"is '{parsed.Id}' but the URL names '{expectedId}'"));
        }

        if (problems.Count > 0 || result.Journey is null)
        {
            return new PublishOutcome(null, problems, false);
        }

        var journey = result.Journey;
        var latest = await store.GetAsync(journey.Id, null, cancellationToken);
        if (latest is not null && Canonical(latest) == Canonical(journey))
        {
            return new PublishOutcome(latest, [], true);
        }

        var published = await store.PublishAsync(journey with { Version = null }, cancellationToken);
        catalog.Invalidate();
        return new PublishOutcome(published, [], false);
    }

    private static string Canonical(JourneyDefinition journey) => JourneyJson.Serialize(journey with { Version = null, Schema = null });
}

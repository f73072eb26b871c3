using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace JourneyFunctions.Api;

/// <summary>The suppression of a contact's address as an export lists it (the hash is how it is stored).</summary>
public sealed record SuppressionExport(string AddressHash, SuppressionReason Reason, DateTimeOffset At, string? Detail);

/// <summary>
/// <c>GET /api/contacts/{id}/export</c>: everything stored about a contact. <see cref="Contact"/> is null when only
/// runs or timeline entries remain of it; <see cref="Runs"/> are the machine's run states as stored, trigger data,
/// waited events and sent steps included.
/// </summary>
public sealed record ContactExportResponse(
    string ContactId,
    DateTimeOffset ExportedAt,
    ContactResponse? Contact,
    SuppressionExport? Suppression,
    IReadOnlyList<RunState> Runs,
    IReadOnlyList<TimelineEntry> Timeline)
{
    public static ContactExportResponse From(ContactExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        return new(
            export.ContactId,
            export.ExportedAt,
            export.Contact is null ? null : ContactResponse.From(export.Contact),
            export.Suppression is { } s ? new SuppressionExport(s.AddressHash, s.Reason, s.At, s.Detail) : null,
            export.Runs,
            export.Timeline);
    }
}

/// <summary>
/// The GDPR access export of one contact, on its own route so an operator (or a storefront's data request, see
/// <see cref="Storefronts.StorefrontWebhookProcessor"/>) can hand a person everything kept about them.
/// </summary>
public static class ContactExportApi
{
    public static IEndpointRouteBuilder MapContactExportApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.ExportContact, ExportAsync);
        return app;
    }

    public static async Task<Results<Ok<ContactExportResponse>, ProblemHttpResult>> ExportAsync(string id, ContactService contacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        if (ApiIds.Check(id) is { } invalid)
        {
            return invalid;
        }

        var export = await contacts.ExportAsync(id, cancellationToken);
        return export is null
            ? ApiProblems.NotFound("Contact", "id", $"nothing is stored about '{id}'")
            : TypedResults.Ok(ContactExportResponse.From(export));
    }
}

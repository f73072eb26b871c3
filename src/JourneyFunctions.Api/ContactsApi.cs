using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Time;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Api;

/// <summary>The body of <c>POST /api/contacts</c>: only what is present changes; tags are added, never removed.</summary>
public sealed record ContactUpsertRequest
{
    public string? Id { get; init; }

    public string? Email { get; init; }

    public string? TimeZone { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public bool? MarketingConsent { get; init; }

    public string? ConsentSource { get; init; }

    /// <summary>When the contact gave the consent: needed to subscribe again a contact who unsubscribed.</summary>
    public DateTimeOffset? ConsentAt { get; init; }
}

/// <summary>A contact as the API returns it; <see cref="ActiveRuns"/> and <see cref="Timeline"/> only on a read.</summary>
public sealed record ContactResponse(
    string Id,
    string? Email,
    string? TimeZone,
    IReadOnlyDictionary<string, JsonElement> Fields,
    IReadOnlyList<string> Tags,
    Consent Consent,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastActivityAt,
    bool? Suppressed = null,
    IReadOnlyList<ActiveRunResponse>? ActiveRuns = null,
    IReadOnlyList<TimelineEntry>? Timeline = null)
{
    public static ContactResponse From(Contact contact) => new(
        contact.Id,
        contact.Email,
        contact.TimeZone,
        contact.Fields,
        contact.Tags.Order(StringComparer.OrdinalIgnoreCase).ToList(),
        contact.Consent,
        contact.CreatedAt,
        contact.LastActivityAt);

    public static ContactResponse From(ContactView view) => From(view.Contact) with
    {
        Suppressed = view.Suppressed,
        ActiveRuns = view.ActiveRuns.Select(r => ActiveRunResponse.From(r, view.Contact.TimeZone)).ToList(),
        Timeline = view.Timeline,
    };
}

/// <summary>The answer of <c>GET /api/contacts?email=</c>: the contacts with that address, without runs or timeline.</summary>
public sealed record ContactSearchResponse(IReadOnlyList<ContactResponse> Contacts);

/// <summary>
/// A run as <c>GET /api/contacts/{id}</c> lists it. <see cref="WaitingUntil"/> is the instant (UTC, <c>Z</c>);
/// <see cref="WaitingUntilLocal"/> is the same moment on the contact's clock (<c>yyyy-MM-ddTHH:mm:ss</c> in the
/// contact's <c>timeZone</c>), for a person reading it; absent when the contact has no known zone or the run waits for
/// nothing timed.
/// </summary>
public sealed record ActiveRunResponse(
    string RunId,
    string JourneyId,
    int Version,
    string? Key,
    string? StepId,
    RunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? WaitingUntil,
    string? WaitingUntilLocal)
{
    public static ActiveRunResponse From(RunSummary run, string? contactTimeZone)
    {
        ArgumentNullException.ThrowIfNull(run);
        var zone = ZonedTime.Find(contactTimeZone);
        var local = run.WaitingUntil is { } at && zone is not null
            ? TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : null;
        return new(run.RunId, run.JourneyId, run.Version, run.Key, run.StepId, run.Status, run.StartedAt, run.WaitingUntil, local);
    }
}

/// <summary>
/// Contacts: upsert, read (with tags, active runs and the recent timeline) and erase. Erasing ends the contact's runs
/// and deletes its personal data; the suppression hash of its address stays, so an erased address that unsubscribed
/// or bounced still gets no mail if it comes back.
/// </summary>
public static class ContactsApi
{
    /// <summary>The most contacts one search returns.</summary>
    public const int MaxSearchResults = 50;

    /// <summary>The longest address searched (RFC 5321's path limit).</summary>
    private const int MaxEmailLength = 254;

    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.UpsertContact, UpsertAsync);
        app.MapApiRoute(ApiRoutes.SearchContacts, SearchAsync);
        app.MapApiRoute(ApiRoutes.GetContact, GetAsync);
        app.MapApiRoute(ApiRoutes.EraseContact, EraseAsync);
        return app;
    }

    public static async Task<Results<Ok<ContactResponse>, ProblemHttpResult>> UpsertAsync(
        HttpRequest request,
        ContactService contacts,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(request, options.Value.MaxEventBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (upsert, invalid) = JsonBody.Deserialize<ContactUpsertRequest>(body);
        if (invalid is not null)
        {
            return invalid;
        }

        if (string.IsNullOrWhiteSpace(upsert!.Id))
        {
            return ApiProblems.BadRequest("$.id", "is required");
        }

        var patch = new ContactPatch
        {
            Email = upsert.Email,
            TimeZone = upsert.TimeZone,
            Fields = upsert.Fields,
            Tags = upsert.Tags,
            MarketingConsent = upsert.MarketingConsent,
            ConsentSource = upsert.ConsentSource,
            ConsentAt = upsert.ConsentAt,
        };
        var saved = await contacts.UpsertAsync(upsert.Id, patch, cancellationToken);
        return TypedResults.Ok(ContactResponse.From(saved));
    }

    /// <summary>
    /// <c>GET /api/contacts?email=</c>: the contacts whose address is <paramref name="email"/> (trimmed, ignoring case),
    /// at most <see cref="MaxSearchResults"/>, ordered by id. Each is read and its address checked, so an index row a
    /// crash left behind never answers for a contact whose address changed.
    /// </summary>
    public static async Task<Results<Ok<ContactSearchResponse>, ProblemHttpResult>> SearchAsync(string? email, IContactStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrWhiteSpace(email))
        {
            return ApiProblems.BadRequest("email", "is required: the address whose contacts to find");
        }

        var address = email.Trim();
        if (address.Length > MaxEmailLength || address.IndexOf('@', StringComparison.Ordinal) is < 1 || address.EndsWith('@'))
        {
            return ApiProblems.BadRequest("email", $"is not an email address (local@domain, at most {MaxEmailLength} characters)");
        }

        var ids = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var id in store.ListIdsByEmailAsync(address, cancellationToken))
        {
            ids.Add(id);
        }

        var found = new List<ContactResponse>();
        foreach (var id in ids)
        {
            var contact = await store.GetAsync(id, cancellationToken);
            // The same normalisation as the index (and the address hash): trimmed, lower-cased invariantly.
            if (contact?.Email is { } stored && string.Equals(stored.Trim().ToLowerInvariant(), address.ToLowerInvariant(), StringComparison.Ordinal))
            {
                found.Add(ContactResponse.From(contact));
                if (found.Count == MaxSearchResults)
                {
                    break;
                }
            }
        }

        return TypedResults.Ok(new ContactSearchResponse(found));
    }

    public static async Task<Results<Ok<ContactResponse>, ProblemHttpResult>> GetAsync(string id, ContactService contacts, CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalid)
        {
            return invalid;
        }

        var view = await contacts.GetAsync(id, cancellationToken: cancellationToken);
        return view is null
            ? ApiProblems.NotFound("Contact", "id", $"no contact '{id}'")
            : TypedResults.Ok(ContactResponse.From(view));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> EraseAsync(string id, ContactService contacts, IRunDispatcher dispatcher, CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalid)
        {
            return invalid;
        }

        var erased = await contacts.EraseAsync(id, dispatcher, cancellationToken);
        return erased ? TypedResults.NoContent() : ApiProblems.NotFound("Contact", "id", $"no contact '{id}'");
    }
}

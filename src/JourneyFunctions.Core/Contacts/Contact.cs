using System.Text.Json;

namespace JourneyFunctions.Core.Contacts;

/// <summary>
/// A contact: the person a journey runs for. <see cref="Fields"/> holds profile data the storefront sends
/// (firstName, country, loyaltyTier ...), as JSON values.
/// </summary>
public sealed record Contact
{
    public required string Id { get; init; }

    public string? Email { get; init; }

    /// <summary>IANA time zone (Europe/Madrid); null means the journey's default, else UTC.</summary>
    public string? TimeZone { get; init; }

    public IReadOnlyDictionary<string, JsonElement> Fields { get; init; } = new Dictionary<string, JsonElement>();

    public IReadOnlySet<string> Tags { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public Consent Consent { get; init; } = new();

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastActivityAt { get; init; }

    /// <summary>Opaque concurrency token of the stored row; null for a contact not yet stored.</summary>
    public string? ETag { get; init; }
}

/// <summary>Marketing consent and where it came from (GDPR/CAN-SPAM evidence).</summary>
public sealed record Consent
{
    public bool Marketing { get; init; }

    /// <summary>Where consent was given or withdrawn: signup-form, checkout, api, unsubscribe-link, journey:&lt;id&gt;.</summary>
    public string? Source { get; init; }

    public DateTimeOffset? At { get; init; }

    /// <summary>
    /// True when the contact withdrew consent themselves (an unsubscribe link). Such a withdrawal is undone only by
    /// an opt-in the contact gave after it (<see cref="ContactPatch.ConsentAt"/> later than <see cref="At"/>), never
    /// by a profile sync that still says <c>marketingConsent: true</c>.
    /// </summary>
    public bool WithdrawnByContact { get; init; }
}

/// <summary>
/// A contact event as it travels from ingest to the router. <see cref="Id"/> is the idempotency key: a storefront
/// retry with the same id is not a second event.
/// </summary>
public sealed record ContactEvent
{
    public required string Id { get; init; }

    public required string ContactId { get; init; }

    /// <summary>Dotted event name, e.g. cart.updated, order.placed, review.submitted.</summary>
    public required string Name { get; init; }

    public JsonElement? Data { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Optional profile data carried with the event (email, timeZone, fields) to upsert the contact.</summary>
    public ContactPatch? Contact { get; init; }
}

/// <summary>A partial contact update: only what is non-null changes.</summary>
public sealed record ContactPatch
{
    public string? Email { get; init; }

    public string? TimeZone { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public bool? MarketingConsent { get; init; }

    public string? ConsentSource { get; init; }

    /// <summary>
    /// When the consent in <see cref="MarketingConsent"/> was given or withdrawn at its source (a storefront's
    /// <c>consent_updated_at</c>, or the recorded opt-in of an API call). With it, the change applies only when it is
    /// newer than the consent on record, so a profile sync carrying an old "subscribed" cannot undo a later
    /// unsubscribe; a contact who unsubscribed is subscribed again only by a consent given after the unsubscribe.
    /// </summary>
    public DateTimeOffset? ConsentAt { get; init; }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Services;

/// <summary>An event as a storefront submits it (POST /api/events): <c>id</c> is optional when an idempotency key is sent.</summary>
public sealed record EventSubmission
{
    public string? Id { get; init; }

    public string? ContactId { get; init; }

    public string? Name { get; init; }

    public JsonElement? Data { get; init; }

    public DateTimeOffset? OccurredAt { get; init; }

    public ContactPatch? Contact { get; init; }
}

/// <summary>What ingest accepted: the event ids, in order (a storefront can log them).</summary>
public sealed record IngestResult(IReadOnlyList<string> EventIds);

/// <summary>
/// Validates submitted events and puts them on the ingestion queue. Nothing is enqueued unless the whole batch is
/// valid, so a 400 never leaves half a batch accepted. The event id is the idempotency key: the caller's id, else
/// derived from the request's Idempotency-Key and the position in the batch, so a retried request maps to the same
/// ids and the router drops the repeats.
/// </summary>
public sealed partial class EventIngestService(IEventQueue queue, TimeProvider time)
{
    public const int MaxBatchSize = 100;
    public const int MaxIdLength = IdLimits.MaxLength;

    public async Task<IngestResult> IngestAsync(IReadOnlyList<EventSubmission> submissions, string? idempotencyKey, bool isBatch, CancellationToken cancellationToken = default)
    {
        var errors = new List<FieldError>();
        if (submissions.Count == 0)
        {
            errors.Add(new FieldError("$", "send at least one event"));
        }
        else if (submissions.Count > MaxBatchSize)
        {
            errors.Add(new FieldError("$", $"a batch holds at most {MaxBatchSize} events; this one has {submissions.Count}"));
        }

        // The key becomes event ids ("key" or "key:i" in a batch), so it is held to the id rule with room for ":99".
        if (idempotencyKey is not null && IdLimits.Problem(idempotencyKey + ":99") is { } keyProblem)
        {
            errors.Add(new FieldError("Idempotency-Key", keyProblem));
        }

        var now = time.GetUtcNow();
        var events = new List<ContactEvent>(submissions.Count);
        for (var i = 0; i < submissions.Count && submissions.Count <= MaxBatchSize; i++)
        {
            // Paths are built only for an error: valid events, the common case, allocate none.
            var s = submissions[i];
            string Path(string field) => (isBatch ? $"$[{i}]." : "$.") + field;
            Check(errors, i, isBatch, "contactId", s.ContactId, required: true);
            Check(errors, i, isBatch, "id", s.Id, required: false);
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add(new FieldError(Path("name"), "is required (e.g. cart.updated)"));
            }
            else if (!EventName().IsMatch(s.Name))
            {
                errors.Add(new FieldError(Path("name"), $"'{s.Name}' is not an event name: use letters, digits, dots, dashes and underscores, starting with a letter (e.g. order.placed)"));
            }

            if (s.Data is { } data && data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
            {
                errors.Add(new FieldError(Path("data"), "must be a JSON object"));
            }

            if (s.Data is { ValueKind: JsonValueKind.Object } numbers)
            {
                if (HasUnhandledNumber(numbers))
                {
                    CheckNumbers(errors, Path("data"), numbers);
                }
            }

            if (s.Contact?.Fields is { } fields)
            {
                foreach (var (name, value) in fields)
                {
                    if (HasUnhandledNumber(value))
                    {
                        CheckNumbers(errors, Path("contact.fields") + Member(name), value);
                    }
                }
            }

            if (s.OccurredAt is { } at && at > now.AddDays(1))
            {
                errors.Add(new FieldError(Path("occurredAt"), "is more than a day in the future"));
            }

            if (s.Contact?.ConsentAt is { } consentAt && consentAt > now + ContactService.ConsentClockSkew)
            {
                errors.Add(new FieldError(Path("contact.consentAt"), "is in the future: give the time the contact gave consent"));
            }

            if (s.Contact?.TimeZone is { } zone && ZonedTime.Find(zone) is null)
            {
                errors.Add(new FieldError(Path("contact.timeZone"), $"'{zone}' is not an IANA time zone (e.g. Europe/Madrid)"));
            }

            if (s.Contact?.Email is { } address && !EmailAddresses.TryParse(address, out _, out var addressProblem))
            {
                errors.Add(new FieldError(Path("contact.email"), $"'{EmailAddresses.Shorten(address)}' {addressProblem}"));
            }

            if (errors.Count > 0)
            {
                continue;
            }

            var id = s.Id ?? (idempotencyKey is null ? Guid.NewGuid().ToString("N") : isBatch ? $"{idempotencyKey}:{i}" : idempotencyKey);
            events.Add(new ContactEvent
            {
                Id = id,
                ContactId = s.ContactId!,
                Name = s.Name!,
                Data = s.Data is { ValueKind: JsonValueKind.Object } d ? d.Clone() : null,
                OccurredAt = s.OccurredAt ?? now,
                Contact = s.Contact,
            });
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }

        foreach (var contactEvent in events)
        {
            try
            {
                await queue.EnqueueAsync(contactEvent, cancellationToken);
            }
            catch (MessageTooLargeException ex)
            {
                var index = events.IndexOf(contactEvent);
                throw new RequestValidationException([new FieldError(isBatch ? $"$[{index}].data" : "$.data", ex.Message)]);
            }
        }

        return new IngestResult(events.Select(e => e.Id).ToList());
    }

    private static void Check(List<FieldError> errors, int index, bool isBatch, string field, string? value, bool required)
    {
        var problem = value is null ? (required ? "is required" : null) : IdLimits.Problem(value);
        if (problem is not null)
        {
            errors.Add(new FieldError((isBatch ? $"$[{index}]." : "$.") + field, problem));
        }
    }

    /// <summary>
    /// Numbers journeys and templates handle are decimals (about ±7.9e28, 28 digits): a number beyond that (<c>1e30</c>,
    /// <c>1e400</c>) is refused here, with its JSON path, rather than accepted and failing later in a condition or a
    /// template. One error for each such number, with its path; paths are built only when there is one to report.
    /// </summary>
    /// <remarks>Also the check of <see cref="ContactService.UpsertAsync"/> (<c>$.fields.x</c>): one rule for both routes.</remarks>
    internal static void CheckNumbers(List<FieldError> errors, string path, JsonElement value)
    {
        if (HasUnhandledNumber(value))
        {
            AddNumberError(errors, path, value);
        }
    }

    /// <summary>
    /// True when <paramref name="value"/> holds a number beyond a decimal anywhere: the scan every event's data gets,
    /// which builds no path (nor reads a property name, which would allocate it); paths are built only to report.
    /// </summary>
    internal static bool HasUnhandledNumber(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return !value.TryGetDecimal(out _);
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (HasUnhandledNumber(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (HasUnhandledNumber(item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>The error for the first unhandled number in <paramref name="value"/>, with its path (one per value).</summary>
    private static void AddNumberError(List<FieldError> errors, string path, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when !value.TryGetDecimal(out _):
                var raw = value.GetRawText();
                errors.Add(new FieldError(path, $"{(raw.Length > 40 ? raw[..40] + "..." : raw)} is beyond the numbers journeys handle (decimals up to about ±7.9e28): send it as a string or scale it"));
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    CheckNumbers(errors, path + Member(property.Name), property.Value);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckNumbers(errors, $"{path}[{index++}]", item);
                }

                break;
        }
    }

    /// <summary>A member step of a JSON path: <c>.total</c>, or <c>['odd name']</c> when the name is not a plain identifier.</summary>
    internal static string Member(string name) =>
        PlainMember().IsMatch(name) ? "." + name : "['" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "']";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainMember();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$")]
    private static partial Regex EventName();
}

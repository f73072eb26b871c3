using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>Sets (or clears) a setField step's contact field; <c>marketingConsent</c> changes the contact's consent.</summary>
public sealed class SetFieldHandler(ContactWriter contactWriter, TimeProvider time) : IActivityHandler<SetFieldRequest>
{
    public string Kind => "setField";

    public async Task<ActivityOutcome> ExecuteAsync(SetFieldRequest request, ActivityAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempt);
        var now = time.GetUtcNow();
        var update = await contactWriter.UpdateAsync(request.ContactId, c => SetField(c, request, now), createIfMissing: false, cancellationToken);
        if (update is null)
        {
            return await attempt.SkipAsync("the contact no longer exists", cancellationToken);
        }

        var summary = $"Set {request.Field} to {request.Value?.GetRawText() ?? "null"}";
        await attempt.FinishAsync(summary, cancellationToken);
        await attempt.AppendTimelineAsync(request.ContactId, now, "field", summary, cancellationToken);
        return ActivityOutcome.Succeeded();
    }

    private static Contact SetField(Contact contact, SetFieldRequest request, DateTimeOffset now)
    {
        if (string.Equals(request.Field, "marketingConsent", StringComparison.OrdinalIgnoreCase))
        {
            var consent = request.Value is { ValueKind: JsonValueKind.True };

            // A journey never subscribes again a contact who unsubscribed: only the contact's own later opt-in does.
            return contact.Consent.Marketing == consent || (consent && contact.Consent.WithdrawnByContact)
                ? contact
                : contact with { Consent = new Consent { Marketing = consent, Source = $"journey:{request.JourneyId}", At = now } };
        }

        var fields = new Dictionary<string, JsonElement>(contact.Fields, StringComparer.Ordinal);
        if (request.Value is { } value && value.ValueKind != JsonValueKind.Null)
        {
            fields[request.Field] = value.Clone();
        }
        else
        {
            fields.Remove(request.Field);
        }

        return contact with { Fields = fields };
    }
}

using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Executes the effects the journey machine asks for, at least once with exactly-once effect: every effect is
/// reserved in the send ledger under its deterministic operation id before it happens and completed after, so a
/// retry of the same operation returns the recorded outcome instead of acting again. Sending honours, at send time,
/// suppression, marketing consent, the per-contact frequency cap and the provider's rate quota; a capped or
/// throttled email is deferred, never dropped. Transient failures throw so the host's retry policy decides.
/// </summary>
/// <remarks>
/// An execution is one unit of work on the contact (<see cref="IContactWork"/>): called by the built-in engine it joins
/// the engine's scope; called alone (a durable activity) it commits its own, so the contact, ledger and timeline
/// writes of one activity are one transaction. The ledger reserve is made durable before the email goes out.
/// </remarks>
public sealed class ActivityExecutor(
    IContactStore contacts,
    IContactWork work,
    ContactWriter contactWriter,
    ISendLedger ledger,
    ISuppressionStore suppressions,
    ITemplateRenderer templates,
    IEmailSender email,
    IWebhookClient webhooks,
    ISendRateLimiter rateLimiter,
    IJourneyCatalog catalog,
    ITimelineStore timeline,
    IStatsStore stats,
    IEventQueue events,
    TagEventFilter tagEvents,
    IUnsubscribeUrlBuilder unsubscribeUrls,
    IOptions<SendingOptions> options,
    TimeProvider time,
    ILogger<ActivityExecutor> logger)
{
    private readonly SendingOptions _options = options.Value;

    public async Task<ActivityOutcome> ExecuteAsync(ActivityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var scope = work.Begin(request.ContactId);
        var outcome = await (request switch
        {
            SendEmailRequest send => SendEmailAsync(send, cancellationToken),
            ChangeTagsRequest tags => ChangeTagsAsync(tags, cancellationToken),
            SetFieldRequest field => SetFieldAsync(field, cancellationToken),
            CallWebhookRequest webhook => CallWebhookAsync(webhook, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.GetType().Name, "Unknown activity request."),
        });
        await scope.CommitAsync(cancellationToken);
        return outcome;
    }

    private async Task<ActivityOutcome> SendEmailAsync(SendEmailRequest request, CancellationToken cancellationToken)
    {
        var recorded = await ledger.GetAsync(request.ContactId, request.RunId, request.OperationId, cancellationToken);
        if (Recorded(recorded) is { } done)
        {
            return done;
        }

        var contact = await contacts.GetAsync(request.ContactId, cancellationToken);
        var now = time.GetUtcNow();
        if (contact is null || string.IsNullOrWhiteSpace(contact.Email))
        {
            return await SkipAsync(request, "email", recorded, "the contact has no email address", cancellationToken);
        }

        if (request.Marketing && !contact.Consent.Marketing)
        {
            return await SkipAsync(request, "email", recorded, "the contact has not consented to marketing email (or unsubscribed)", cancellationToken);
        }

        var suppression = await suppressions.GetAsync(AddressHash.Compute(contact.Email), cancellationToken);

        // An unsubscribe is outranked only by the contact's own opt-in recorded after it (ContactWriter.Apply).
        if (suppression is not null && !(suppression.Reason == SuppressionReason.Unsubscribed && contact.Consent is { Marketing: true, At: { } optIn } && optIn > suppression.At))
        {
            return await SkipAsync(request, "email", recorded, $"the address is suppressed ({suppression.Reason.ToString().ToLowerInvariant()})", cancellationToken);
        }

        // A reserved row means an earlier attempt may have reached the provider: it was already counted against the
        // cap and the quota, and the retry reuses its operation id, so the provider does not send it twice.
        if (recorded is null)
        {
            if (request.Marketing && _options.FrequencyCapMaxEmails > 0)
            {
                var sent = await ledger.CountSentToContactAsync(contact.Id, now - _options.FrequencyCapPeriod, cancellationToken);
                if (sent >= _options.FrequencyCapMaxEmails)
                {
                    return ActivityOutcome.Deferred(now + _options.FrequencyCapRecheck, $"frequency cap: {sent} emails in the last {_options.FrequencyCapPeriod.TotalHours.ToString(CultureInfo.InvariantCulture)} h");
                }
            }

            var rate = rateLimiter.TryAcquire();
            if (!rate.Acquired)
            {
                return ActivityOutcome.Deferred(rate.RetryAt, "the email provider's rate quota is used up for now");
            }

            var reserved = await ledger.TryReserveAsync(NewEntry(request, "email", LedgerStatus.Reserved, now, contact.Id), cancellationToken);
            if (!reserved)
            {
                recorded = await ledger.GetAsync(request.ContactId, request.RunId, request.OperationId, cancellationToken);
                if (Recorded(recorded) is { } raced)
                {
                    return raced;
                }
            }
        }

        var journey = await catalog.GetVersionAsync(request.JourneyId, request.Version, cancellationToken)
            ?? throw new InvalidOperationException($"Journey {request.JourneyId} version {request.Version} is not published.");
        var unsubscribeUrl = request.Marketing ? unsubscribeUrls.Build(contact.Id, "marketing") : null;
        var model = TemplateModels.Build(contact, journey, request.StepId, request.Data, unsubscribeUrl, now);
        var rendered = await templates.RenderAsync(request.Template, model, cancellationToken);

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (unsubscribeUrl is not null)
        {
            // RFC 8058: an HTTPS URI first, and the one-click marker so mailbox providers POST to it.
            headers["List-Unsubscribe"] = $"<{unsubscribeUrl}>";
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }

        var message = new EmailMessage
        {
            OperationId = request.OperationId,
            From = new EmailAddress(_options.FromAddress, _options.FromName),
            ReplyTo = string.IsNullOrWhiteSpace(_options.ReplyTo) ? null : new EmailAddress(_options.ReplyTo),
            To = new EmailAddress(contact.Email, DisplayName(contact)),
            Subject = rendered.Subject,
            Html = rendered.Html,
            Text = rendered.Text,
            Headers = headers,
        };

        EmailSendResult result;
        try
        {
            result = await email.SendAsync(message, cancellationToken);
        }
        catch (EmailSendException ex) when (!ex.Transient)
        {
            // A permanent refusal (an address the sender cannot parse, ACS 4xx but 429) is final: recorded, never retried.
            logger.LogWarning(ex, "Email {OperationId} refused permanently", request.OperationId);
            await ledger.CompleteAsync(NewEntry(request, "email", LedgerStatus.Failed, time.GetUtcNow(), contact.Id) with { Detail = ex.Message }, cancellationToken);
            await stats.IncrementAsync(request.JourneyId, request.StepId, StatCounters.EmailsSkipped, 1, cancellationToken);
            return ActivityOutcome.Failed($"the email provider refused the email: {ex.Message}");
        }

        var sentAt = time.GetUtcNow();
        await ledger.CompleteAsync(NewEntry(request, "email", LedgerStatus.Done, sentAt, contact.Id) with { MessageId = result.MessageId, Detail = rendered.Subject, RecipientHash = AddressHash.Compute(contact.Email) }, cancellationToken);
        await stats.IncrementAsync(request.JourneyId, request.StepId, StatCounters.EmailsSent, 1, cancellationToken);
        await timeline.AppendAsync(contact.Id, [new TimelineEntry(sentAt, "email", $"Sent \"{rendered.Subject}\" ({request.Template})", request.JourneyId, request.RunId, request.StepId)], cancellationToken);
        return ActivityOutcome.Succeeded();
    }

    private async Task<ActivityOutcome> ChangeTagsAsync(ChangeTagsRequest request, CancellationToken cancellationToken)
    {
        var recorded = await ledger.GetAsync(request.ContactId, request.RunId, request.OperationId, cancellationToken);
        if (Recorded(recorded) is { } done)
        {
            return done;
        }

        var update = await contactWriter.UpdateAsync(request.ContactId, c => ContactWriter.WithTags(c, request.Add, request.Remove), createIfMissing: false, cancellationToken);
        if (update is null)
        {
            return await SkipAsync(request, "tags", recorded, "the contact no longer exists", cancellationToken);
        }

        var now = time.GetUtcNow();
        // The run doing the change may not be stored yet (its first drive): its own version counts as active.
        var current = await catalog.GetVersionAsync(request.JourneyId, request.Version, cancellationToken);
        foreach (var tagEvent in await tagEvents.ListenedToAsync(request.ContactId, ContactWriter.TagEvents(update, request.OperationId, now), current is null ? [] : [current], cancellationToken))
        {
            await events.EnqueueAsync(tagEvent, cancellationToken);
        }

        var summary = Describe(request.Add, request.Remove);
        await FinishAsync(request, "tags", recorded, summary, cancellationToken);
        await timeline.AppendAsync(request.ContactId, [new TimelineEntry(now, "tags", summary, request.JourneyId, request.RunId, request.StepId)], cancellationToken);
        return ActivityOutcome.Succeeded();
    }

    private async Task<ActivityOutcome> SetFieldAsync(SetFieldRequest request, CancellationToken cancellationToken)
    {
        var recorded = await ledger.GetAsync(request.ContactId, request.RunId, request.OperationId, cancellationToken);
        if (Recorded(recorded) is { } done)
        {
            return done;
        }

        var now = time.GetUtcNow();
        var update = await contactWriter.UpdateAsync(request.ContactId, c => SetField(c, request, now), createIfMissing: false, cancellationToken);
        if (update is null)
        {
            return await SkipAsync(request, "setField", recorded, "the contact no longer exists", cancellationToken);
        }

        var summary = $"Set {request.Field} to {request.Value?.GetRawText() ?? "null"}";
        await FinishAsync(request, "setField", recorded, summary, cancellationToken);
        await timeline.AppendAsync(request.ContactId, [new TimelineEntry(now, "field", summary, request.JourneyId, request.RunId, request.StepId)], cancellationToken);
        return ActivityOutcome.Succeeded();
    }

    private async Task<ActivityOutcome> CallWebhookAsync(CallWebhookRequest request, CancellationToken cancellationToken)
    {
        var recorded = await ledger.GetAsync(request.ContactId, request.RunId, request.OperationId, cancellationToken);
        if (Recorded(recorded) is { } done)
        {
            return done;
        }

        var contact = await contacts.GetAsync(request.ContactId, cancellationToken);
        if (contact is null)
        {
            return await SkipAsync(request, "webhook", recorded, "the contact no longer exists", cancellationToken);
        }

        var body = request.Body is { } custom
            ? custom.GetRawText()
            : JsonSerializer.Serialize(new
            {
                contact = TemplateModels.ContactView(contact),
                journeyId = request.JourneyId,
                version = request.Version,
                stepId = request.StepId,
                runId = request.RunId,
                trigger = request.Data.Trigger,
                @event = request.Data.Event,
            });
        var headers = request.Headers ?? new Dictionary<string, string>();
        WebhookResponse response;
        try
        {
            response = await webhooks.SendAsync(new WebhookCall(request.Method, new Uri(request.Url), headers, body, request.OperationId), cancellationToken);
        }
        catch (WebhookException ex) when (!ex.Transient)
        {
            await RecordFinalAsync(NewEntry(request, "webhook", LedgerStatus.Failed, time.GetUtcNow(), request.ContactId) with { Detail = ex.Message }, recorded, cancellationToken);
            return ActivityOutcome.Skipped($"the webhook refused the call: {ex.Message}");
        }

        var summary = $"{request.Method} {request.Url} answered {response.StatusCode.ToString(CultureInfo.InvariantCulture)}";
        await FinishAsync(request, "webhook", recorded, summary, cancellationToken);
        return ActivityOutcome.Succeeded(response.Body);
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

    private static ActivityOutcome? Recorded(LedgerEntry? entry) => entry?.Status switch
    {
        LedgerStatus.Done or LedgerStatus.Delivered or LedgerStatus.Bounced => ActivityOutcome.Succeeded(),
        LedgerStatus.Failed when entry.Kind == "email" => ActivityOutcome.Failed(entry.Detail ?? "refused earlier"),
        LedgerStatus.Skipped or LedgerStatus.Failed => ActivityOutcome.Skipped(entry.Detail ?? "skipped earlier"),
        _ => null,
    };

    private async Task<ActivityOutcome> SkipAsync(ActivityRequest request, string kind, LedgerEntry? recorded, string reason, CancellationToken cancellationToken)
    {
        await RecordFinalAsync(NewEntry(request, kind, LedgerStatus.Skipped, time.GetUtcNow(), request.ContactId) with { Detail = reason }, recorded, cancellationToken);

        if (kind == "email")
        {
            await stats.IncrementAsync(request.JourneyId, request.StepId, StatCounters.EmailsSkipped, 1, cancellationToken);
        }

        return ActivityOutcome.Skipped(reason);
    }

    private async Task FinishAsync(ActivityRequest request, string kind, LedgerEntry? recorded, string detail, CancellationToken cancellationToken)
    {
        await RecordFinalAsync(NewEntry(request, kind, LedgerStatus.Done, time.GetUtcNow(), request.ContactId) with { Detail = detail }, recorded, cancellationToken);
    }

    /// <summary>A ledger row is created reserved and then completed: reserve it first when no earlier attempt did.</summary>
    private async Task RecordFinalAsync(LedgerEntry entry, LedgerEntry? recorded, CancellationToken cancellationToken)
    {
        if (recorded is null)
        {
            await ledger.TryReserveAsync(entry with { Status = LedgerStatus.Reserved }, cancellationToken);
        }

        await ledger.CompleteAsync(entry, cancellationToken);
    }

    private static LedgerEntry NewEntry(ActivityRequest request, string kind, LedgerStatus status, DateTimeOffset at, string contactId) => new()
    {
        RunId = request.RunId,
        StepId = request.StepId,
        OperationId = request.OperationId,
        JourneyId = request.JourneyId,
        ContactId = contactId,
        Kind = kind,
        Status = status,
        At = at,
    };

    private static string? DisplayName(Contact contact)
    {
        var first = contact.Fields.TryGetValue("firstName", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var last = contact.Fields.TryGetValue("lastName", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        var name = string.Join(' ', new[] { first, last }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return name.Length == 0 ? null : name;
    }

    private static string Describe(IReadOnlyList<string> add, IReadOnlyList<string> remove)
    {
        var parts = new List<string>(2);
        if (add.Count > 0)
        {
            parts.Add("added tags " + string.Join(", ", add));
        }

        if (remove.Count > 0)
        {
            parts.Add("removed tags " + string.Join(", ", remove));
        }

        return parts.Count == 0 ? "no tag change" : string.Join("; ", parts);
    }
}

/// <summary>Builds the public one-click unsubscribe URL of a contact (a signed token in an HTTPS link).</summary>
public interface IUnsubscribeUrlBuilder
{
    string Build(string contactId, string scope);
}

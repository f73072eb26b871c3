using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>
/// Sends an email step's email. At send time it honours the address (none, suppressed), marketing consent, the
/// per-contact frequency cap and the provider's rate quota; a capped or throttled email is deferred, never dropped.
/// The operation is reserved in the ledger before the email goes out, so a retry reuses its operation id and the
/// provider does not send it twice.
/// </summary>
public sealed class SendEmailHandler(
    IContactStore contacts,
    AddressSuppressions suppressions,
    ISendLedger ledger,
    ISendRateLimiter rateLimiter,
    IJourneyCatalog catalog,
    ITemplateRenderer templates,
    IEmailSender email,
    IStatsStore stats,
    IUnsubscribeUrlBuilder unsubscribeUrls,
    IOptions<SendingOptions> options,
    TimeProvider time,
    ILogger<SendEmailHandler> logger) : IActivityHandler<SendEmailRequest>
{
    private readonly SendingOptions _options = options.Value;

    public string Kind => "email";

    public async Task<ActivityOutcome> ExecuteAsync(SendEmailRequest request, ActivityAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempt);
        var contact = await contacts.GetAsync(request.ContactId, cancellationToken);
        var now = time.GetUtcNow();
        if (await NotSendableAsync(request, contact, cancellationToken) is { } reason)
        {
            return await attempt.SkipAsync(reason, cancellationToken);
        }

        // A reserved row means an earlier attempt may have reached the provider: it was already counted against the
        // cap and the quota, and the retry reuses its operation id, so the provider does not send it twice.
        if (attempt.Recorded is null)
        {
            if (await DeferralAsync(request, contact!, now, cancellationToken) is { } deferred)
            {
                return deferred;
            }

            if (await attempt.ReserveAsync(contact!.Id, now, cancellationToken) is { } raced)
            {
                return raced;
            }
        }

        EmailMessage message;
        RenderedEmail rendered;
        try
        {
            (message, rendered) = await ComposeAsync(request, contact!, now, cancellationToken);
        }
        catch (TemplateRenderException ex) when (ex.Permanent)
        {
            // The same template on the same data fails again: a permanent failed step, recorded, never a retry storm.
            logger.LogWarning(ex, "Email {OperationId} could not be rendered", request.OperationId);
            await attempt.CompleteAsync(attempt.Entry(LedgerStatus.Failed, time.GetUtcNow(), contact!.Id) with { Detail = ex.Message }, cancellationToken);
            await stats.IncrementAsync(request.JourneyId, request.StepId, StatCounters.EmailsSkipped, 1, cancellationToken);
            return ActivityOutcome.Failed($"the email could not be rendered: {ex.Message}");
        }

        EmailSendResult result;
        try
        {
            result = await email.SendAsync(message, cancellationToken);
        }
        catch (EmailSendException ex) when (!ex.Transient)
        {
            // A permanent refusal (an address the sender cannot parse, ACS 4xx but 429) is final: recorded, never retried.
            logger.LogWarning(ex, "Email {OperationId} refused permanently", request.OperationId);
            await attempt.CompleteAsync(attempt.Entry(LedgerStatus.Failed, time.GetUtcNow(), contact!.Id) with { Detail = ex.Message }, cancellationToken);
            await stats.IncrementAsync(request.JourneyId, request.StepId, StatCounters.EmailsSkipped, 1, cancellationToken);
            return ActivityOutcome.Failed($"the email provider refused the email: {ex.Message}");
        }

        var sentAt = time.GetUtcNow();
        await attempt.CompleteAsync(attempt.Entry(LedgerStatus.Done, sentAt, contact!.Id) with { MessageId = result.MessageId, Detail = rendered.Subject, RecipientHash = suppressions.HashOf(contact.Email!) }, cancellationToken);
        await stats.IncrementAsync(request.JourneyId, request.StepId, StatCounters.EmailsSent, 1, cancellationToken);
        await attempt.AppendTimelineAsync(contact.Id, sentAt, "email", $"Sent \"{rendered.Subject}\" ({request.Template})", cancellationToken);
        return ActivityOutcome.Succeeded();
    }

    /// <summary>Why the email cannot go to this contact at all (it is skipped), or null when it can.</summary>
    private async Task<string?> NotSendableAsync(SendEmailRequest request, Contact? contact, CancellationToken cancellationToken)
    {
        if (contact is null || string.IsNullOrWhiteSpace(contact.Email))
        {
            return "the contact has no email address";
        }

        if (request.Marketing && !contact.Consent.Marketing)
        {
            return "the contact has not consented to marketing email (or unsubscribed)";
        }

        var suppression = await suppressions.GetAsync(contact.Email, cancellationToken);

        // An unsubscribe is outranked only by the contact's own opt-in recorded after it (ContactWriter.Apply).
        var optedInAgain = suppression is { Reason: SuppressionReason.Unsubscribed } && contact.Consent is { Marketing: true, At: { } optIn } && optIn > suppression.At;
        return suppression is null || optedInAgain ? null : $"the address is suppressed ({suppression.Reason.ToString().ToLowerInvariant()})";
    }

    /// <summary>The deferral when the frequency cap or the rate quota says "not now", else null (a quota token is taken).</summary>
    private async Task<ActivityOutcome?> DeferralAsync(SendEmailRequest request, Contact contact, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (request.Marketing && _options.FrequencyCapMaxEmails > 0)
        {
            var sent = await ledger.CountSentToContactAsync(contact.Id, now - _options.FrequencyCapPeriod, cancellationToken);
            if (sent >= _options.FrequencyCapMaxEmails)
            {
                var freesAt = await CapFreesAtAsync(contact.Id, now, cancellationToken);
                return ActivityOutcome.Deferred(freesAt, $"frequency cap: {sent} emails in the last {_options.FrequencyCapPeriod.TotalHours.ToString(CultureInfo.InvariantCulture)} h; it goes out when the cap frees up");
            }
        }

        var rate = rateLimiter.TryAcquire();
        return rate.Acquired ? null : ActivityOutcome.Deferred(rate.RetryAt, "the email provider's rate quota is used up for now");
    }

    /// <summary>
    /// The first whole minute after <paramref name="now"/> at which fewer than the cap's emails fall in the period
    /// before it: when the oldest counted email leaves the period. The ledger port counts sends since an instant, so
    /// this bisects that count (about a dozen reads for a one-day period, and only for an email that is capped): the
    /// email is then retried once, when it can go, instead of every hour with a count each time.
    /// </summary>
    private async Task<DateTimeOffset> CapFreesAtAsync(string contactId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var period = _options.FrequencyCapPeriod;
        var minute = TimeSpan.FromMinutes(1);

        // Capped at now + capped minutes; free at now + free minutes (no email is sent after now, so a whole period on
        // the counted window is empty).
        long capped = 0;
        var free = Math.Max(1, (long)Math.Ceiling(period / minute));
        while (free - capped > 1)
        {
            var middle = capped + ((free - capped) / 2);
            var at = now + (middle * minute);
            if (await ledger.CountSentToContactAsync(contactId, at - period, cancellationToken) >= _options.FrequencyCapMaxEmails)
            {
                capped = middle;
            }
            else
            {
                free = middle;
            }
        }

        return now + (free * minute);
    }

    /// <summary>Renders the template for the contact and builds the message, with one-click unsubscribe for marketing.</summary>
    private async Task<(EmailMessage Message, RenderedEmail Rendered)> ComposeAsync(SendEmailRequest request, Contact contact, DateTimeOffset now, CancellationToken cancellationToken)
    {
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
            To = new EmailAddress(contact.Email!, DisplayName(contact)),
            Subject = rendered.Subject,
            Html = rendered.Html,
            Text = rendered.Text,
            Headers = headers,
        };
        return (message, rendered);
    }

    private static string? DisplayName(Contact contact)
    {
        var first = contact.Fields.TryGetValue("firstName", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var last = contact.Fields.TryGetValue("lastName", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        var name = string.Join(' ', new[] { first, last }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return name.Length == 0 ? null : name;
    }
}

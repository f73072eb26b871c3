using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Infrastructure.EventGrid;

/// <summary>
/// What processing a batch of reports did, for logs and the endpoint's response. <see cref="Unmatched"/>: reports
/// whose message id is no email in the ledger; <see cref="Mismatched"/>: reports whose recipient is not the address
/// that email went to. Both are ignored (and logged): neither can suppress an address, count or route anything.
/// </summary>
public sealed record AcsReportOutcome(int Delivered, int Bounced, int Suppressed, int Engagements, int Unmatched, int Mismatched = 0);

/// <summary>
/// Applies ACS email reports through the Core ports, and only reports about an email this installation sent: the
/// report's message id must find a ledger row (the ACS operation id the sender returned) and the report's recipient
/// must be the address that row went to (<see cref="LedgerEntry.RecipientHash"/>). ACS message ids are predictable
/// (derived from run and step), so the id alone proves nothing; anything else is logged and ignored, never applied,
/// and the endpoint still answers 200 so Event Grid does not redeliver it.
/// Delivery: Delivered moves the row to Delivered and counts it; Bounced, Suppressed and Failed suppress the
/// address (keyed by the HMAC of <see cref="AddressHasher"/>, an existing suppression is kept) and move the row to Bounced;
/// Quarantined and FilteredSpam move it to Bounced without suppressing the address (the message was refused, not
/// the mailbox); Expanded is informational. Engagement: a view or click becomes an <c>email.opened</c> /
/// <c>email.clicked</c> contact event on the queue, so journeys can wait or branch on it; opens and clicks count once
/// per email. Event Grid delivers at least once: ledger transitions, counters and event ids (derived from the report
/// id) make a redelivered report harmless.
/// </summary>
public sealed class AcsReportProcessor(
    ISendLedger ledger,
    AddressSuppressions suppressions,
    IStatsStore stats,
    IEventQueue events,
    IProcessedEventStore processed,
    TimeProvider time,
    ILogger<AcsReportProcessor> logger)
{
    public async Task<AcsReportOutcome> ProcessAsync(IReadOnlyList<AcsReport> reports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reports);
        int delivered = 0, bounced = 0, suppressed = 0, engagements = 0, unmatched = 0, mismatched = 0;
        foreach (var report in reports)
        {
            var entry = await ledger.FindByMessageIdAsync(report.MessageId, cancellationToken);
            if (entry is null || entry.Kind != "email")
            {
                unmatched++;
                logger.LogWarning("Ignored ACS {Kind} report {ReportId}: message {MessageId} is no email this installation sent", report.Kind, report.ReportId, report.MessageId);
                continue;
            }

            if (!RecipientMatches(entry, report))
            {
                mismatched++;
                logger.LogWarning(
                    "Ignored ACS {Kind} report {ReportId} for message {MessageId}: its recipient is {Presence} the address that email went to",
                    report.Kind, report.ReportId, report.MessageId, string.IsNullOrWhiteSpace(report.Recipient) ? "missing, so it cannot be checked against" : "not");
                continue;
            }

            if (report.Kind == AcsReportKind.Delivery)
            {
                var status = (report.DeliveryStatus ?? string.Empty).ToLowerInvariant();
                if (status is "bounced" or "suppressed" or "failed" && await SuppressAsync(report, status, cancellationToken))
                {
                    suppressed++;
                }

                var outcome = status switch
                {
                    "delivered" => LedgerStatus.Delivered,
                    "bounced" or "suppressed" or "failed" or "quarantined" or "filteredspam" => LedgerStatus.Bounced,
                    _ => (LedgerStatus?)null,
                };
                if (outcome is not null && await CompleteAsync(entry, outcome.Value, report, cancellationToken))
                {
                    if (outcome == LedgerStatus.Delivered)
                    {
                        delivered++;
                    }
                    else
                    {
                        bounced++;
                    }
                }
            }
            else if (await EngageAsync(entry, report, cancellationToken))
            {
                engagements++;
            }
        }

        return new AcsReportOutcome(delivered, bounced, suppressed, engagements, unmatched, mismatched);
    }

    /// <summary>
    /// The report names the address the ledger row's email went to (compared as address hashes: keyed, or the plain
    /// hash of a row written before the keyed one).
    /// </summary>
    private bool RecipientMatches(LedgerEntry entry, AcsReport report) =>
        !string.IsNullOrWhiteSpace(report.Recipient) && suppressions.IsRecipient(entry.RecipientHash, report.Recipient);

    private async Task<bool> SuppressAsync(AcsReport report, string status, CancellationToken cancellationToken)
    {
        var detail = $"ACS {report.DeliveryStatus}{(string.IsNullOrEmpty(report.StatusDetail) ? string.Empty : ": " + report.StatusDetail)} (message {report.MessageId})";
        if (!await suppressions.AddAsync(report.Recipient!, SuppressionReason.Bounced, report.At, detail, cancellationToken))
        {
            return false;
        }

        logger.LogInformation("Suppressed an address after ACS reported {Status} for message {MessageId}", status, report.MessageId);
        return true;
    }

    /// <summary>Moves the row once; a later or repeated report for a final row changes nothing and counts nothing.</summary>
    private async Task<bool> CompleteAsync(LedgerEntry entry, LedgerStatus status, AcsReport report, CancellationToken cancellationToken)
    {
        if (entry.Status is LedgerStatus.Delivered or LedgerStatus.Bounced)
        {
            return false;
        }

        var detail = status == LedgerStatus.Delivered ? entry.Detail : $"ACS {report.DeliveryStatus}: {report.StatusDetail}";
        await ledger.CompleteAsync(entry with { Status = status, Detail = detail }, cancellationToken);
        await stats.IncrementAsync(entry.JourneyId, entry.StepId, status == LedgerStatus.Delivered ? StatCounters.Delivered : StatCounters.Bounced, 1, cancellationToken);
        return true;
    }

    private async Task<bool> EngageAsync(LedgerEntry entry, AcsReport report, CancellationToken cancellationToken)
    {
        var click = string.Equals(report.EngagementType, "click", StringComparison.OrdinalIgnoreCase);
        if (!click && !string.Equals(report.EngagementType, "view", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var data = new Dictionary<string, string?>
        {
            ["journeyId"] = entry.JourneyId,
            ["stepId"] = entry.StepId,
            ["runId"] = entry.RunId,
            ["messageId"] = report.MessageId,
        };
        if (click)
        {
            data["url"] = report.Url;
        }

        await events.EnqueueAsync(
            new ContactEvent
            {
                Id = "acs:" + report.ReportId,
                ContactId = entry.ContactId,
                Name = click ? SystemEvents.EmailClicked : SystemEvents.EmailOpened,
                Data = JsonSerializer.SerializeToElement(data),
                OccurredAt = report.At,
            },
            cancellationToken);

        // Unique opens and clicks per email: the first report of each kind counts.
        var counterKey = $"acs-{(click ? "click" : "open")}:{report.MessageId}";
        if (!await processed.ContainsAsync(entry.ContactId, counterKey, cancellationToken))
        {
            await processed.MarkAsync(entry.ContactId, counterKey, time.GetUtcNow(), cancellationToken);
            await stats.IncrementAsync(entry.JourneyId, entry.StepId, click ? StatCounters.Clicked : StatCounters.Opened, 1, cancellationToken);
        }

        return true;
    }
}

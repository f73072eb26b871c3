using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>
/// The send ledger: one row per effect, keyed by run and operation id (an email's operation id is its run and step,
/// so a step's email goes out once per run; tags, fields and webhooks add the transition sequence, so a loop that
/// revisits them applies them again while a retry of the same visit does not). It makes at-least-once execution have
/// exactly-once effect, and it is where per-step email stats come from.
/// </summary>
public interface ISendLedger
{
    /// <summary>The row of (run, operation); the contact names where it is kept (rows live with their contact's data).</summary>
    Task<LedgerEntry?> GetAsync(string contactId, string runId, string operationId, CancellationToken cancellationToken = default);

    /// <summary>Inserts a <see cref="LedgerStatus.Reserved"/> row; false when a row for (run, operation) exists already.</summary>
    Task<bool> TryReserveAsync(LedgerEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Moves the row to its final status (done, skipped, failed) with the provider message id.</summary>
    Task CompleteAsync(LedgerEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Finds the ledger row of a sent email by the provider's message id (delivery reports).</summary>
    Task<LedgerEntry?> FindByMessageIdAsync(string messageId, CancellationToken cancellationToken = default);

    /// <summary>Emails sent by a contact in a period, for the frequency cap.</summary>
    Task<int> CountSentToContactAsync(string contactId, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Erase: drops the contact's rows (delivery counts in stats are kept).</summary>
    Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default);
}

public sealed record LedgerEntry
{
    public required string RunId { get; init; }

    public required string StepId { get; init; }

    public required string OperationId { get; init; }

    public required string JourneyId { get; init; }

    public required string ContactId { get; init; }

    /// <summary>email, tags, setField, webhook.</summary>
    public required string Kind { get; init; }

    public required LedgerStatus Status { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The provider's message id (ACS operation id, SMTP Message-ID, outbox file).</summary>
    public string? MessageId { get; init; }

    /// <summary>Rendered subject, skip or failure reason.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// For a sent email, the keyed hash (<see cref="Security.AddressHasher"/>) of the address it went to (rows written
    /// before the keyed hash hold the plain SHA-256, still matched): an ACS report applies to the row only when its
    /// recipient hashes the same, so a report naming another address cannot touch it.
    /// </summary>
    public string? RecipientHash { get; init; }

    public string? ETag { get; init; }
}

public enum LedgerStatus
{
    Reserved,
    Done,
    Skipped,
    Failed,
    Delivered,
    Bounced,
}

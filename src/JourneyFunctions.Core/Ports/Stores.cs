using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

// Storage ports. Implementations: in-memory (embedded default, fast tests) and Azure Table/Queue Storage, held to one
// contract-test suite. Not-found is a null result; lost races throw ConcurrencyException (ETag if-match).

/// <summary>Contacts with their tags (and an index by tag), consent, time zone and last activity.</summary>
public interface IContactStore
{
    Task<Contact?> GetAsync(string contactId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts the contact when its <see cref="Contact.ETag"/> is null (throws <see cref="ConcurrencyException"/> if it
    /// exists), else replaces it if the ETag still matches. Keeps the tag index in step. Returns it with the new ETag.
    /// </summary>
    Task<Contact> SaveAsync(Contact contact, CancellationToken cancellationToken = default);

    /// <summary>Deletes the contact and its tag index entries; false when there was none.</summary>
    Task<bool> DeleteAsync(string contactId, CancellationToken cancellationToken = default);

    IAsyncEnumerable<string> ListIdsByTagAsync(string tag, CancellationToken cancellationToken = default);

    /// <summary>Contacts whose last activity is before <paramref name="before"/> (for inactivity triggers).</summary>
    IAsyncEnumerable<Contact> ListInactiveAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>Journey definitions with every published version. Publishing never changes runs in flight.</summary>
public interface IJourneyStore
{
    /// <summary>Stores the definition as the next version and returns it with <see cref="JourneyDefinition.Version"/> set.</summary>
    Task<JourneyDefinition> PublishAsync(JourneyDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>A given version, or the latest when <paramref name="version"/> is null.</summary>
    Task<JourneyDefinition?> GetAsync(string journeyId, int? version = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JourneySummary>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Pauses (no new entries, runs in flight hold at their next step) or resumes a journey.</summary>
    Task<bool> SetPausedAsync(string journeyId, bool paused, CancellationToken cancellationToken = default);
}

public sealed record JourneySummary(string Id, string Name, int LatestVersion, bool Paused, DateTimeOffset PublishedAt, JourneyStage? Stage, string? TriggerEvent);

/// <summary>A run row: the machine state and its concurrency token.</summary>
public sealed record StoredRun(RunState State, string ETag);

/// <summary>Runs: state, pinned version, what they wait for and until when.</summary>
public interface IRunStore
{
    Task<StoredRun?> GetAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Creates the run; throws <see cref="ConcurrencyException"/> when a run with that id exists.</summary>
    Task<StoredRun> CreateAsync(RunState state, CancellationToken cancellationToken = default);

    /// <summary>Replaces the run if <paramref name="etag"/> still matches; throws <see cref="ConcurrencyException"/> otherwise.</summary>
    Task<StoredRun> UpdateAsync(RunState state, string etag, CancellationToken cancellationToken = default);

    /// <summary>Runs of a contact that have not completed.</summary>
    Task<IReadOnlyList<StoredRun>> ListActiveForContactAsync(string contactId, CancellationToken cancellationToken = default);

    /// <summary>Every run of a contact (for erase and the contact view), newest first.</summary>
    Task<IReadOnlyList<StoredRun>> ListForContactAsync(string contactId, CancellationToken cancellationToken = default);

    /// <summary>Waiting runs whose timer is due at or before <paramref name="dueBy"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<StoredRun>> ListDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken = default);

    /// <summary>The latest run of a contact in a journey (for a key, when keyed), for the re-entry policy.</summary>
    Task<PreviousRun?> GetLatestAsync(string journeyId, string contactId, string? key, CancellationToken cancellationToken = default);

    /// <summary>Active (not completed) runs of a journey, for stats ("waiting now" per step).</summary>
    IAsyncEnumerable<RunState> ListActiveForJourneyAsync(string journeyId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every run of a contact (erase).</summary>
    Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default);
}

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
    /// For a sent email, the <see cref="Security.AddressHash"/> of the address it went to: an ACS report applies to
    /// the row only when its recipient hashes the same, so a report naming another address cannot touch it.
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

/// <summary>Suppressions keyed by a hash of the normalised address, so they survive erasing the contact.</summary>
public interface ISuppressionStore
{
    Task<Suppression?> GetAsync(string addressHash, CancellationToken cancellationToken = default);

    Task AddAsync(Suppression suppression, CancellationToken cancellationToken = default);

    Task<bool> RemoveAsync(string addressHash, CancellationToken cancellationToken = default);
}

public sealed record Suppression(string AddressHash, SuppressionReason Reason, DateTimeOffset At, string? Detail);

public enum SuppressionReason
{
    Unsubscribed,
    Bounced,
    Complained,
    Manual,
}

/// <summary>The contact timeline: events, decisions and emails, newest first.</summary>
public interface ITimelineStore
{
    Task AppendAsync(string contactId, IReadOnlyList<TimelineEntry> entries, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TimelineEntry>> ListAsync(string contactId, int max = 100, CancellationToken cancellationToken = default);

    Task<int> DeleteForContactAsync(string contactId, CancellationToken cancellationToken = default);
}

public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Message, string? JourneyId = null, string? RunId = null, string? StepId = null, JsonElement? Data = null);

/// <summary>Per-journey and per-step counters (entered, sent, exited, goal ...).</summary>
public interface IStatsStore
{
    Task IncrementAsync(string journeyId, string? stepId, string counter, long delta = 1, CancellationToken cancellationToken = default);

    /// <summary>Counters of a journey: key "" is the journey total, else the step id; inner key the counter name.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetAsync(string journeyId, CancellationToken cancellationToken = default);
}

/// <summary>Counter names in <see cref="IStatsStore"/>; stored strings, a contract.</summary>
public static class StatCounters
{
    public const string Entered = "entered";
    public const string Finished = "finished";
    public const string Exited = "exited";
    public const string Goal = "goal";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    public const string EmailsSent = "sent";
    public const string EmailsSkipped = "skipped";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
    public const string Opened = "opened";
    public const string Clicked = "clicked";
    public const string Visited = "visited";
}

/// <summary>Events already processed, by contact and event id (storefront retries are not second events).</summary>
public interface IProcessedEventStore
{
    Task<bool> ContainsAsync(string contactId, string eventId, CancellationToken cancellationToken = default);

    Task MarkAsync(string contactId, string eventId, DateTimeOffset at, CancellationToken cancellationToken = default);
}

/// <summary>
/// A short lease on a key (a contact), so that several queue-trigger invocations of the Functions app never route one
/// contact at once (its deliveries raise orchestration events outside the router's unit of work, which a routing
/// repeated after a lost race would raise twice). The built-in host needs none. Returns null when someone else holds it.
/// </summary>
public interface ILeaseStore
{
    Task<ILease?> TryAcquireAsync(string key, string owner, TimeSpan duration, CancellationToken cancellationToken = default);
}

public interface ILease : IAsyncDisposable
{
    string Key { get; }

    /// <summary>Extends the lease; false when it was lost.</summary>
    Task<bool> RenewAsync(CancellationToken cancellationToken = default);
}

/// <summary>Thrown when an ETag no longer matches or a row to create exists already.</summary>
public sealed class ConcurrencyException : Exception
{
    public ConcurrencyException()
    {
    }

    public ConcurrencyException(string message)
        : base(message)
    {
    }

    public ConcurrencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

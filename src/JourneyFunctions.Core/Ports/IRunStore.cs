using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

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

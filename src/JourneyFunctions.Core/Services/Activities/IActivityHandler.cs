using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>
/// Carries out one kind of activity behind the ledger guard (<see cref="ActivityLedgerGuard"/>): it is only called
/// when no earlier attempt of the same operation finished, and records its end through the
/// <see cref="ActivityAttempt"/> it is given.
/// </summary>
public interface IActivityHandler<in TRequest>
    where TRequest : ActivityRequest
{
    /// <summary>The ledger kind of the effect ("email", "tags", "setField", "webhook").</summary>
    string Kind { get; }

    Task<ActivityOutcome> ExecuteAsync(TRequest request, ActivityAttempt attempt, CancellationToken cancellationToken);
}

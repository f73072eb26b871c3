namespace JourneyFunctions.Core.Ports;

/// <summary>
/// A unit of work per input and contact. Everything one input (a routed event, a fired timer, an activity) does to one
/// contact (its profile, runs, ledger rows, timeline, processed marks) can then be read with one request and written
/// with one: the Azure stores keep a contact's rows in one table partition, serve the reads of an open scope from one
/// range query and buffer its writes until <see cref="IContactWorkScope.CommitAsync"/> sends them as one entity-group
/// transaction. In memory a scope is a no-op: writes happen at once, as without a scope.
/// </summary>
/// <remarks>
/// The scope is ambient (it flows with the async call), so the store ports keep their signatures. A
/// <see cref="Begin"/> for the contact of the open scope joins it: the inner commit does nothing and the outer one
/// writes. A commit that lost an ETag race (another worker changed one of the rows) throws
/// <see cref="ConcurrencyException"/> and writes nothing: the caller applies its input again to fresh state.
/// </remarks>
public interface IContactWork
{
    /// <summary>Opens (or joins) the scope of <paramref name="contactId"/>. Dispose without commit drops the buffered writes.</summary>
    IContactWorkScope Begin(string contactId);

    /// <summary>
    /// Makes the buffered writes of the open scope durable now (one transaction), for a step that must not happen
    /// before them: an email goes out only after its ledger row is stored, an orchestration is scheduled only after
    /// its run row is. Without an open scope (or in memory) there is nothing to do.
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="action"/> once the open scope has committed (dropped with the scope when the commit fails,
    /// since the input is then applied again), or at once when no scope buffers writes. For what must not be done for
    /// writes that may never land: counters of transitions.
    /// </summary>
    Task AfterCommitAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken = default);
}

/// <summary>An open unit of work; see <see cref="IContactWork"/>.</summary>
public interface IContactWorkScope : IAsyncDisposable
{
    /// <summary>False when this scope joined an outer one for the same contact (its commit is then the outer's).</summary>
    bool Owner { get; }

    /// <summary>Writes the buffered changes as one transaction; <see cref="ConcurrencyException"/> when a row changed meanwhile.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>The unit of work of stores that write at once (in memory): every scope is a no-op.</summary>
public sealed class ImmediateContactWork : IContactWork
{
    public static readonly ImmediateContactWork Instance = new();

    public IContactWorkScope Begin(string contactId) => Scope.Instance;

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task AfterCommitAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action(cancellationToken);
    }

    private sealed class Scope : IContactWorkScope
    {
        public static readonly Scope Instance = new();

        public bool Owner => true;

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

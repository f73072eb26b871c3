using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The unit of work of the Table Storage stores: an ambient <see cref="PartitionScope"/> per contact, which the stores
/// consult for every row of that contact's partition. One input then costs one range query and one entity-group
/// transaction on the contact's partition, plus the global index rows it changes (timers, tags, message ids).
/// </summary>
public sealed class TableContactWork(StorageTables tables) : IContactWork
{
    public IContactWorkScope Begin(string contactId) => tables.BeginScope(contactId);

    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        tables.Innermost() is { } scope ? scope.FlushAsync(cancellationToken) : Task.CompletedTask;

    public Task AfterCommitAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (tables.Innermost() is { } scope)
        {
            scope.AfterCommit(action);
            return Task.CompletedTask;
        }

        return action(cancellationToken);
    }
}

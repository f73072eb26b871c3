using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Runner;

/// <summary>
/// A run store that can hand out due runs as it finds them (implemented next to <see cref="IRunStore"/> by stores
/// whose due scan costs a request per run): <see cref="JourneyRunner"/> then fires each run while the scan is still
/// reading the next ones, instead of waiting for the whole page.
/// </summary>
public interface IDueRunStream
{
    /// <summary>
    /// The runs <see cref="IRunStore.ListDueAsync"/> would return, in its order, each yielded as soon as it has been
    /// read; at most <paramref name="readAhead"/> reads are in flight at once, so the scan never takes more of the
    /// storage than the firing it feeds.
    /// </summary>
    IAsyncEnumerable<StoredRun> StreamDueAsync(DateTimeOffset dueBy, int max, int readAhead, CancellationToken cancellationToken = default);
}

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace JourneyFunctions.Cli.Load;

/// <summary>Managed bytes attributed to one type in a load phase, from the runtime's allocation samples.</summary>
public sealed record AllocationSample(string Type, long Bytes);

/// <summary>
/// <c>journeys load --profile</c>: listens in-process to the runtime's allocation ticks (one event about every 100 KB
/// allocated, naming the type of the object that crossed the mark and the bytes since the last tick), so a load
/// report can say which types a phase allocates, not only how much. Sampled: rank with it, do not add up.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;

    private ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    /// <summary>The types sampled since the last snapshot, most bytes first.</summary>
    public IReadOnlyList<AllocationSample> TakeSnapshot()
    {
        var taken = Interlocked.Exchange(ref _bytes, new ConcurrentDictionary<string, long>(StringComparer.Ordinal));
        return [.. taken.Select(kv => new AllocationSample(kv.Key, kv.Value)).OrderByDescending(s => s.Bytes)];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is >= 0 and var t ? payload[t] as string : null;
        var amount = names.IndexOf("AllocationAmount64") is >= 0 and var a ? Convert.ToInt64(payload[a], System.Globalization.CultureInfo.InvariantCulture)
            : names.IndexOf("AllocationAmount") is >= 0 and var b ? Convert.ToInt64(payload[b], System.Globalization.CultureInfo.InvariantCulture) : 0;
        _bytes?.AddOrUpdate(type ?? "?", amount, (_, sum) => sum + amount);
    }
}

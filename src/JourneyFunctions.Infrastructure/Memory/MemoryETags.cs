using System.Globalization;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>Process-wide ETag source for the in-memory stores: every write gets a value never handed out before.</summary>
internal static class MemoryETags
{
    private static long _last;

    public static string Next() =>
        "W/\"m" + Interlocked.Increment(ref _last).ToString(CultureInfo.InvariantCulture) + "\"";
}

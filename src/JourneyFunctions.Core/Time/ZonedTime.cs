using System.Collections.Concurrent;
using System.Globalization;

namespace JourneyFunctions.Core.Time;

/// <summary>
/// IANA time zones and wall-clock arithmetic. Zone data comes from the operating system's tz database, which is
/// the same on every replay on one machine: lookups are cached and deterministic for the machine.
/// </summary>
public static class ZonedTime
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Cache = new(StringComparer.Ordinal);

    /// <summary>Finds an IANA zone (Europe/Madrid, America/New_York, UTC); null when it is unknown.</summary>
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        return Cache.GetOrAdd(id, static key =>
        {
            if (string.Equals(key, "UTC", StringComparison.OrdinalIgnoreCase) || string.Equals(key, "Etc/UTC", StringComparison.OrdinalIgnoreCase))
            {
                return TimeZoneInfo.Utc;
            }

            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(key);
            }
            catch (TimeZoneNotFoundException)
            {
                return null;
            }
            catch (InvalidTimeZoneException)
            {
                return null;
            }
        });
    }

    /// <summary>The contact's zone, else the fallback, else UTC.</summary>
    public static TimeZoneInfo Resolve(string? contactZone, string? fallbackZone = null) =>
        Find(contactZone) ?? Find(fallbackZone) ?? TimeZoneInfo.Utc;

    /// <summary>
    /// The instant of a wall-clock time in a zone. A time skipped by a DST jump moves forward by the gap (02:30 on a
    /// spring-forward night becomes 03:30); a repeated time takes its first occurrence.
    /// </summary>
    public static DateTimeOffset FromLocal(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            var probe = local;
            for (var i = 0; i < 8 && zone.IsInvalidTime(probe); i++)
            {
                probe = probe.AddMinutes(30);
            }

            var before = zone.GetUtcOffset(local.AddHours(-3));
            return new DateTimeOffset(local, before).ToOffset(zone.GetUtcOffset(probe));
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var max = offsets.Max();
            return new DateTimeOffset(local, max);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>Parses HH:mm (24 h); false when it is not a valid time of day.</summary>
    public static bool TryParseTimeOfDay(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}

using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// <see cref="IsoDuration.AddTo"/> for the machine's waits, with the same answer (instant and offset) and a shorter
/// way to it when the wall-clock result is nowhere near a DST change, which is nearly always: calendar parts are
/// added on the wall clock, and the local time found is turned back into an instant with the offset that holds
/// three hours either side of it (no transition there, so the local time is neither skipped nor repeated) instead of
/// asking the zone whether it is invalid or ambiguous. Anything else goes to <see cref="IsoDuration.AddTo"/>.
/// </summary>
internal static class CalendarAdd
{
    /// <summary>Wider than any DST jump (at most two hours), so no transition is within it of a time it clears.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromHours(3);

    public static DateTimeOffset To(IsoDuration duration, DateTimeOffset instant, TimeZoneInfo zone)
    {
        if (duration.Years == 0 && duration.Months == 0 && duration.Days == 0)
        {
            return duration.AddTo(instant, zone);
        }

        var sign = duration.Negative ? -1 : 1;

        // The offset the local time had before the calendar parts were added is the best guess; it must hold at the
        // result and on both sides of it.
        var offset = zone.GetUtcOffset(instant);
        DateTime local;
        DateTime utc;
        try
        {
            local = (instant.UtcDateTime + offset).AddYears(sign * duration.Years).AddMonths(sign * duration.Months).AddDays(sign * duration.Days);
            utc = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Off the calendar: the general path says so the way it always has.
            return duration.AddTo(instant, zone);
        }

        if (utc < DateTime.MinValue + Margin || utc > DateTime.MaxValue - Margin
            || zone.GetUtcOffset(utc) != offset || zone.GetUtcOffset(utc - Margin) != offset || zone.GetUtcOffset(utc + Margin) != offset)
        {
            return duration.AddTo(instant, zone);
        }

        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset) + (sign * duration.Time);
    }
}

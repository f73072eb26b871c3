using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// A journey's send window in a form that answers "is it open now?" and "when does it next open?" in a zone. A window
/// belongs to the day it opens on: mon-sat 22:00-06:00 is open Saturday night until Sunday 06:00, and not Sunday night.
/// A window whose opening equals its closing is open the whole of its days. Openings are wall-clock times: on a DST
/// change 09:00 stays 09:00, and an opening skipped by the change moves to the first valid instant after it.
/// </summary>
public sealed class SendWindowSchedule
{
    private readonly bool[] _days = new bool[7];

    private SendWindowSchedule(TimeOnly from, TimeOnly to)
    {
        From = from;
        To = to;
    }

    public TimeOnly From { get; }

    public TimeOnly To { get; }

    /// <summary>Builds the schedule; false with a sentence when the window's times are not HH:mm.</summary>
    public static bool TryCreate(SendWindow window, out SendWindowSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        if (!ZonedTime.TryParseTimeOfDay(window.From, out var from))
        {
            error = $"the send window opens at '{window.From}', which is not a time of day (HH:mm)";
            return false;
        }

        if (!ZonedTime.TryParseTimeOfDay(window.To, out var to))
        {
            error = $"the send window closes at '{window.To}', which is not a time of day (HH:mm)";
            return false;
        }

        schedule = new SendWindowSchedule(from, to);
        if (window.Days is null || window.Days.Count == 0)
        {
            Array.Fill(schedule._days, true);
        }
        else
        {
            foreach (var day in window.Days)
            {
                schedule._days[(int)ToDayOfWeek(day)] = true;
            }
        }

        return true;
    }

    /// <summary>Whether an email may go out at <paramref name="now"/> in <paramref name="zone"/>.</summary>
    public bool IsOpen(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var time = TimeOnly.FromDateTime(local);
        var day = local.DayOfWeek;
        if (From == To)
        {
            return _days[(int)day];
        }

        if (From < To)
        {
            return _days[(int)day] && time >= From && time < To;
        }

        // Crosses midnight: the evening part belongs to today, the early-morning part to yesterday's window.
        var yesterday = (DayOfWeek)(((int)day + 6) % 7);
        return (time >= From && _days[(int)day]) || (time < To && _days[(int)yesterday]);
    }

    /// <summary>The first opening strictly after <paramref name="now"/>, in <paramref name="zone"/>.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset now, TimeZoneInfo zone)
    {
        var localDate = TimeZoneInfo.ConvertTime(now, zone).Date;
        for (var d = 0; d <= 8; d++)
        {
            var date = localDate.AddDays(d);
            if (!_days[(int)date.DayOfWeek])
            {
                continue;
            }

            var opening = ZonedTime.FromLocal(date + From.ToTimeSpan(), zone);
            if (opening > now)
            {
                return opening;
            }
        }

        // Unreachable with at least one allowed day (an empty Days list means every day).
        throw new InvalidOperationException("The send window has no day on which it opens.");
    }

    internal static DayOfWeek ToDayOfWeek(Weekday day) => day switch
    {
        Weekday.Sunday => DayOfWeek.Sunday,
        Weekday.Monday => DayOfWeek.Monday,
        Weekday.Tuesday => DayOfWeek.Tuesday,
        Weekday.Wednesday => DayOfWeek.Wednesday,
        Weekday.Thursday => DayOfWeek.Thursday,
        Weekday.Friday => DayOfWeek.Friday,
        Weekday.Saturday => DayOfWeek.Saturday,
        _ => throw new ArgumentOutOfRangeException(nameof(day), day, "Unknown weekday."),
    };
}

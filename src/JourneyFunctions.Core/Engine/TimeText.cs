using System.Globalization;
using System.Text;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

/// <summary>Times and durations as a marketer reads them in the timeline (English, invariant culture).</summary>
internal static class TimeText
{
    /// <summary>An instant as local time in the zone: <c>Tue 24 Nov 09:00 Europe/Madrid</c>.</summary>
    public static string Local(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return local.ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture) + " " + zone.Id;
    }

    /// <summary>A duration in words: <c>1 hour</c>, <c>2 days</c>, <c>1 month 3 days</c>.</summary>
    public static string Duration(IsoDuration d)
    {
        var sb = new StringBuilder();
        if (d.Negative)
        {
            sb.Append("minus ");
        }

        Part(sb, d.Years, "year");
        Part(sb, d.Months, "month");
        if (d.Days % 7 == 0 && d.Days != 0)
        {
            Part(sb, d.Days / 7, "week");
        }
        else
        {
            Part(sb, d.Days, "day");
        }

        var t = d.Time;
        Part(sb, (int)t.TotalHours, "hour");
        Part(sb, t.Minutes, "minute");
        Part(sb, t.Seconds, "second");
        if (sb.Length == 0 || (d.Negative && sb.Length == 6))
        {
            sb.Append("no time");
        }

        return sb.ToString();
    }

    /// <summary>The time between two instants in words, to the minute: <c>30 minutes</c>, <c>2 days 3 hours</c>.</summary>
    public static string Elapsed(DateTimeOffset from, DateTimeOffset to)
    {
        var span = to - from;
        if (span < TimeSpan.Zero)
        {
            span = span.Negate();
        }

        var sb = new StringBuilder();
        Part(sb, span.Days, "day");
        Part(sb, span.Hours, "hour");
        Part(sb, span.Minutes, "minute");
        if (sb.Length == 0)
        {
            sb.Append("less than a minute");
        }

        return sb.ToString();
    }

    private static void Part(StringBuilder sb, int n, string unit)
    {
        if (n == 0)
        {
            return;
        }

        if (sb.Length > 0 && sb[^1] != ' ')
        {
            sb.Append(' ');
        }

        sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(unit);
        if (n != 1)
        {
            sb.Append('s');
        }
    }
}

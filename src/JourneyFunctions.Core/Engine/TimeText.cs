using System.Globalization;
using System.Text;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

/// <summary>Times and durations as a marketer reads them in the timeline (English, invariant culture).</summary>
internal static class TimeText
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>An instant as local time in the zone: <c>Tue 24 Nov 09:00 Europe/Madrid</c>.</summary>
    public static string Local(DateTimeOffset instant, TimeZoneInfo zone) => new LocalTime(instant, zone).ToString();

    /// <summary>
    /// A local time that formats itself straight into an interpolated string (no intermediate strings): the machine
    /// writes one into most decisions, so this sits on the hot path of every transition.
    /// </summary>
    public readonly struct LocalTime(DateTimeOffset instant, TimeZoneInfo zone) : ISpanFormattable
    {
        public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

        public string ToString(string? format, IFormatProvider? formatProvider)
        {
            Span<char> buffer = stackalloc char[128];
            return TryFormat(buffer, out var written, format, formatProvider) ? new string(buffer[..written]) : throw new FormatException("Zone id too long.");
        }

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            var local = instant.UtcDateTime + zone.GetUtcOffset(instant);
            var id = zone.Id;
            charsWritten = 0;
            var needed = 3 + 1 + 2 + 1 + 3 + 1 + 5 + 1 + id.Length;
            if (destination.Length < needed)
            {
                return false;
            }

            var i = 0;
            DayNames[(int)local.DayOfWeek].AsSpan().CopyTo(destination);
            i += 3;
            destination[i++] = ' ';
            var day = local.Day;
            if (day >= 10)
            {
                destination[i++] = (char)('0' + (day / 10));
            }

            destination[i++] = (char)('0' + (day % 10));
            destination[i++] = ' ';
            MonthNames[local.Month - 1].AsSpan().CopyTo(destination[i..]);
            i += 3;
            destination[i++] = ' ';
            destination[i++] = (char)('0' + (local.Hour / 10));
            destination[i++] = (char)('0' + (local.Hour % 10));
            destination[i++] = ':';
            destination[i++] = (char)('0' + (local.Minute / 10));
            destination[i++] = (char)('0' + (local.Minute % 10));
            destination[i++] = ' ';
            id.AsSpan().CopyTo(destination[i..]);
            charsWritten = i + id.Length;
            return true;
        }
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

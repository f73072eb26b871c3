using System.Globalization;
using System.Text;

namespace JourneyFunctions.Core.Time;

/// <summary>
/// An ISO 8601 duration as marketers write it: <c>PT1H</c>, <c>P3D</c>, <c>P1W</c>, <c>P1M</c>, <c>P1Y2M3DT4H5M6S</c>, with an
/// optional leading minus (<c>-P1D</c>). Years and months are calendar units: they are added on the calendar in the
/// contact's time zone (31 Jan + P1M = 28/29 Feb), days likewise (a day across a DST change is 23 or 25 hours, and
/// 09:00 stays 09:00). Hours, minutes and seconds are exact.
/// </summary>
public readonly record struct IsoDuration(bool Negative, int Years, int Months, int Days, TimeSpan Time)
{
    private const double MaxDays = 365.0 * 1000;

    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Time == TimeSpan.Zero;

    /// <summary>Parses or returns false; <paramref name="error"/> says what is wrong, for validation messages.</summary>
    public static bool TryParse(string? text, out IsoDuration duration, out string? error)
    {
        duration = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a duration is empty";
            return false;
        }

        var s = text.Trim();
        var i = 0;
        var negative = false;
        if (s[i] is '-' or '+')
        {
            negative = s[i] == '-';
            i++;
        }

        if (i >= s.Length || char.ToUpperInvariant(s[i]) != 'P')
        {
            error = $"'{text}' is not an ISO 8601 duration: it must start with P (e.g. PT1H, P3D, P1W)";
            return false;
        }

        i++;
        int years = 0, months = 0, weeks = 0, days = 0;
        double hours = 0, minutes = 0, seconds = 0;
        var inTime = false;
        var any = false;
        var lastRank = -1;
        while (i < s.Length)
        {
            var c = char.ToUpperInvariant(s[i]);
            if (c == 'T')
            {
                if (inTime)
                {
                    error = $"'{text}' has T twice";
                    return false;
                }

                inTime = true;
                i++;
                if (i >= s.Length)
                {
                    error = $"'{text}' ends after T: give hours, minutes or seconds (e.g. PT30M)";
                    return false;
                }

                continue;
            }

            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] is '.' or ','))
            {
                i++;
            }

            if (start == i || i >= s.Length)
            {
                error = $"'{text}' is not an ISO 8601 duration: expected a number followed by a unit (Y, M, W, D, H, M, S)";
                return false;
            }

            var numberText = s[start..i].Replace(',', '.');
            if (!double.TryParse(numberText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number > 100_000)
            {
                error = $"'{text}' has a number out of range";
                return false;
            }

            var unit = char.ToUpperInvariant(s[i]);
            i++;
            var rank = (inTime, unit) switch
            {
                (false, 'Y') => 0,
                (false, 'M') => 1,
                (false, 'W') => 2,
                (false, 'D') => 3,
                (true, 'H') => 4,
                (true, 'M') => 5,
                (true, 'S') => 6,
                _ => -1,
            };
            if (rank < 0)
            {
                // A suggestion is offered only when it is itself a valid duration (P3X must not suggest PT3X).
                var suggestion = inTime ? $"P{numberText}{unit}" : $"PT{numberText}{unit}";
                // The unit belongs on the other side of T (so the one-part suggestion parses) or nowhere at all.
                var valid = inTime ? unit is 'Y' or 'W' or 'D' : unit is 'H' or 'S';
                error = inTime
                    ? $"'{text}': after T only H, M and S are allowed" + (valid ? $" (did you mean {suggestion}?)" : $" ('{unit}' is not a unit: use Y, M, W, D before T, or H, M, S after it)")
                    : $"'{text}': before T only Y, M, W and D are allowed" + (valid ? $" (hours and minutes go after T, e.g. {suggestion})" : $" ('{unit}' is not a unit: use Y, M, W, D before T, or H, M, S after it)");
                return false;
            }

            if (rank <= lastRank)
            {
                error = $"'{text}': units must appear once each, in the order Y M W D T H M S";
                return false;
            }

            lastRank = rank;
            var whole = number == Math.Floor(number);
            if (rank < 4 && !whole)
            {
                error = $"'{text}': years, months, weeks and days must be whole numbers";
                return false;
            }

            switch (rank)
            {
                case 0: years = (int)number; break;
                case 1: months = (int)number; break;
                case 2: weeks = (int)number; break;
                case 3: days = (int)number; break;
                case 4: hours = number; break;
                case 5: minutes = number; break;
                default: seconds = number; break;
            }

            any = true;
        }

        if (!any)
        {
            error = $"'{text}' has no amount: write e.g. PT1H, P3D or P1W";
            return false;
        }

        var time = TimeSpan.FromSeconds((hours * 3600) + (minutes * 60) + seconds);
        var parsed = new IsoDuration(negative, years, months, (weeks * 7) + days, time);

        // Each number is bounded, but 100000 years (or weeks) would run off the calendar when added to a date.
        if ((years * 365.0) + (months * 30.0) + (weeks * 7.0) + days + time.TotalDays > MaxDays)
        {
            error = $"'{text}' is longer than 1000 years";
            return false;
        }

        duration = parsed;
        return true;
    }

    public static IsoDuration Parse(string text) =>
        TryParse(text, out var d, out var error) ? d : throw new FormatException(error);

    /// <summary>
    /// Adds the duration to an instant: calendar parts on the wall clock of <paramref name="zone"/> (resolving a
    /// skipped or repeated local time to the later valid instant), then the exact time part.
    /// </summary>
    public DateTimeOffset AddTo(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var sign = Negative ? -1 : 1;
        var result = instant;
        if (Years != 0 || Months != 0 || Days != 0)
        {
            var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
            local = local.AddYears(sign * Years).AddMonths(sign * Months).AddDays(sign * Days);
            result = ZonedTime.FromLocal(local, zone);
        }

        return result + (sign * Time);
    }

    /// <summary>The duration as an exact span, counting a day as 24 h, a month as 30 days and a year as 365 days (for bounds and estimates only).</summary>
    public TimeSpan Approximate() =>
        (Negative ? -1 : 1) * (TimeSpan.FromDays((Years * 365) + (Months * 30) + Days) + Time);

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Negative)
        {
            sb.Append('-');
        }

        sb.Append('P');
        if (Years != 0)
        {
            sb.Append(Years.ToString(CultureInfo.InvariantCulture)).Append('Y');
        }

        if (Months != 0)
        {
            sb.Append(Months.ToString(CultureInfo.InvariantCulture)).Append('M');
        }

        if (Days != 0)
        {
            sb.Append(Days.ToString(CultureInfo.InvariantCulture)).Append('D');
        }

        if (Time != TimeSpan.Zero || IsZero)
        {
            sb.Append('T');
            if (Time.Hours + (Time.Days * 24) != 0)
            {
                sb.Append(((int)Time.TotalHours).ToString(CultureInfo.InvariantCulture)).Append('H');
            }

            if (Time.Minutes != 0)
            {
                sb.Append(Time.Minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
            }

            var secs = Time.Seconds + (Time.Milliseconds / 1000.0);
            if (secs != 0 || IsZero)
            {
                sb.Append(secs.ToString(CultureInfo.InvariantCulture)).Append('S');
            }
        }

        return sb.ToString();
    }
}

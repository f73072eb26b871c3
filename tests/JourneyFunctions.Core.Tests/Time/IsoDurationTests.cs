using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Tests.Time;

public sealed class IsoDurationTests
{
    private static readonly TimeZoneInfo Madrid = ZonedTime.Find("Europe/Madrid")!;

    [Theory]
    [InlineData("PT1H", false, 0, 0, 0, 3600)]
    [InlineData("PT30M", false, 0, 0, 0, 1800)]
    [InlineData("PT45S", false, 0, 0, 0, 45)]
    [InlineData("PT1.5H", false, 0, 0, 0, 5400)]
    [InlineData("PT0,5M", false, 0, 0, 0, 30)]
    [InlineData("P3D", false, 0, 0, 3, 0)]
    [InlineData("P1W", false, 0, 0, 7, 0)]
    [InlineData("P2W3D", false, 0, 0, 17, 0)]
    [InlineData("P1M", false, 0, 1, 0, 0)]
    [InlineData("P1Y2M3DT4H5M6S", false, 1, 2, 3, 14706)]
    [InlineData("-P1D", true, 0, 0, 1, 0)]
    [InlineData("+P1D", false, 0, 0, 1, 0)]
    [InlineData("p1dt2h", false, 0, 0, 1, 7200)]
    [InlineData(" P1D ", false, 0, 0, 1, 0)]
    [InlineData("PT0S", false, 0, 0, 0, 0)]
    public void TryParse_Valid_ReadsParts(string text, bool negative, int years, int months, int days, int seconds)
    {
        Assert.True(IsoDuration.TryParse(text, out var d, out var error), error);
        Assert.Null(error);
        Assert.Equal(new IsoDuration(negative, years, months, days, TimeSpan.FromSeconds(seconds)), d);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("1D", "must start with P")]
    [InlineData("1h", "must start with P")]
    [InlineData("-", "must start with P")]
    [InlineData("P", "has no amount")]
    [InlineData("PT", "ends after T")]
    [InlineData("P1DT", "ends after T")]
    [InlineData("P1H", "before T only Y, M, W and D")]
    [InlineData("PT1D", "after T only H, M and S")]
    [InlineData("P1D1Y", "in the order")]
    [InlineData("PT1H1H", "in the order")]
    [InlineData("P1.5D", "whole numbers")]
    [InlineData("P999999D", "out of range")]
    [InlineData("P99999Y", "longer than 1000 years")]
    [InlineData("P100000W", "longer than 1000 years")]
    [InlineData("-P20000M", "longer than 1000 years")]
    [InlineData("PTT1H", "T twice")]
    [InlineData("PD", "expected a number")]
    [InlineData("P1", "expected a number")]
    [InlineData("P1X", "before T only")]
    public void TryParse_Invalid_SaysWhy(string? text, string reason)
    {
        Assert.False(IsoDuration.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("P3X")]
    [InlineData("PT3X")]
    [InlineData("P3H")]
    [InlineData("PT3D")]
    [InlineData("PT2W")]
    [InlineData("P1DT3D")]
    public void TryParse_Invalid_SuggestsOnlyValidDurations(string text)
    {
        Assert.False(IsoDuration.TryParse(text, out _, out var error));

        // Every duration the message offers (a P... word after "e.g." or "did you mean") must itself parse.
        var offered = System.Text.RegularExpressions.Regex.Matches(error!, @"(?:e\.g\.|did you mean) (P[0-9A-Z.]*)")
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.All(offered, d => Assert.True(IsoDuration.TryParse(d, out _, out _), $"'{text}' suggests '{d}', which is invalid: {error}"));
    }

    [Fact]
    public void TryParse_UnknownUnit_NamesTheUnitsInsteadOfAnInvalidSuggestion()
    {
        Assert.False(IsoDuration.TryParse("P3X", out _, out var error));

        Assert.DoesNotContain("PT3X", error, StringComparison.Ordinal);
        Assert.Contains("'X' is not a unit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_HoursBeforeT_SuggestsTheValidForm()
    {
        Assert.False(IsoDuration.TryParse("P3H", out _, out var error));

        Assert.Contains("e.g. PT3H", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatExceptionWithTheReason()
    {
        var ex = Assert.Throws<FormatException>(() => IsoDuration.Parse("P1H"));
        Assert.Contains("before T", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    // P1M on 31 January is the end of February (leap and common years), not 3 March.
    [InlineData("P1M", "2026-01-31T10:00:00+01:00", "2026-02-28T10:00:00+01:00")]
    [InlineData("P1M", "2028-01-31T10:00:00+01:00", "2028-02-29T10:00:00+01:00")]
    [InlineData("P1Y", "2028-02-29T10:00:00+01:00", "2029-02-28T10:00:00+01:00")]
    [InlineData("-P1M", "2026-03-31T10:00:00+02:00", "2026-02-28T10:00:00+01:00")]
    // A day across the spring-forward night in Madrid is 23 hours: 09:00 stays 09:00 local.
    [InlineData("P1D", "2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00")]
    // ... and 25 hours across the autumn night.
    [InlineData("P1D", "2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00")]
    // Hours are exact: 24 hours across the spring-forward night end at 10:00 local.
    [InlineData("PT24H", "2026-03-28T09:00:00+01:00", "2026-03-29T10:00:00+02:00")]
    [InlineData("P1DT1H", "2026-03-28T09:00:00+01:00", "2026-03-29T10:00:00+02:00")]
    // A calendar day landing in the skipped hour moves forward by the gap.
    [InlineData("P1D", "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00")]
    [InlineData("P1W", "2026-11-23T10:00:00+01:00", "2026-11-30T10:00:00+01:00")]
    [InlineData("-P1D", "2026-03-30T09:00:00+02:00", "2026-03-29T09:00:00+02:00")]
    [InlineData("PT0S", "2026-03-30T09:00:00+02:00", "2026-03-30T09:00:00+02:00")]
    public void AddTo_Madrid_CalendarPartsOnWallClockTimePartsExact(string duration, string start, string expected)
    {
        var d = IsoDuration.Parse(duration);
        var result = d.AddTo(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), Madrid);

        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(want, result);
        if (d.Years != 0 || d.Months != 0 || d.Days != 0)
        {
            // Calendar arithmetic happens on the zone's wall clock, so the result carries the zone's offset then.
            Assert.Equal(want.Offset, result.Offset);
        }
    }

    [Theory]
    [InlineData("P1000Y")]
    [InlineData("-P1000Y")]
    [InlineData("P52000W")]
    [InlineData("PT100000H")]
    public void AddTo_LongestAcceptedDuration_StaysOnTheCalendar(string text)
    {
        Assert.True(IsoDuration.TryParse(text, out var d, out var error), error);

        var result = d.AddTo(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), ZonedTime.Find("Europe/Madrid")!);

        Assert.InRange(result.Year, 1000, 3100);
    }

    [Fact]
    public void AddTo_Utc_DaysAreTwentyFourHours()
    {
        var start = new DateTimeOffset(2026, 3, 28, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal(start.AddDays(1), IsoDuration.Parse("P1D").AddTo(start, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("PT1H", "PT1H")]
    [InlineData("PT90M", "PT1H30M")]
    [InlineData("PT36H", "PT36H")]
    [InlineData("P1W", "P7D")]
    [InlineData("-P1Y2M3DT4H5M6S", "-P1Y2M3DT4H5M6S")]
    [InlineData("PT0S", "PT0S")]
    [InlineData("PT1.5S", "PT1.5S")]
    public void ToString_Duration_IsCanonicalIso(string text, string expected)
    {
        var d = IsoDuration.Parse(text);

        Assert.Equal(expected, d.ToString());
        Assert.Equal(d, IsoDuration.Parse(d.ToString()));
    }

    [Theory]
    [InlineData("P1D", 24 * 60)]
    [InlineData("P1M", 30 * 24 * 60)]
    [InlineData("P1Y", 365 * 24 * 60)]
    [InlineData("-PT90M", -90)]
    public void Approximate_Duration_CountsFixedUnits(string text, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), IsoDuration.Parse(text).Approximate());
    }

    [Fact]
    public void IsZero_OnlyForNoAmount()
    {
        Assert.True(IsoDuration.Parse("PT0S").IsZero);
        Assert.False(IsoDuration.Parse("PT1S").IsZero);
    }
}

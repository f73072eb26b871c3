using System.Globalization;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Tests.Time;

public sealed class ZonedTimeTests
{
    private static readonly TimeZoneInfo Madrid = ZonedTime.Find("Europe/Madrid")!;

    [Theory]
    [InlineData("Europe/Madrid", "Europe/Madrid")]
    [InlineData("America/New_York", "America/New_York")]
    [InlineData("UTC", "UTC")]
    [InlineData("utc", "UTC")]
    [InlineData("Etc/UTC", "UTC")]
    public void Find_KnownZone_ReturnsIt(string id, string expectedId)
    {
        Assert.Equal(expectedId, ZonedTime.Find(id)!.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/Madird")]
    public void Find_UnknownZone_ReturnsNull(string? id)
    {
        Assert.Null(ZonedTime.Find(id));
    }

    [Theory]
    [InlineData("Europe/Madrid", "America/New_York", "Europe/Madrid")]
    [InlineData(null, "America/New_York", "America/New_York")]
    [InlineData("Nowhere/Land", "America/New_York", "America/New_York")]
    [InlineData(null, null, "UTC")]
    [InlineData("Nowhere/Land", "Also/Nowhere", "UTC")]
    public void Resolve_ContactThenFallbackThenUtc(string? contact, string? fallback, string expected)
    {
        Assert.Equal(expected, ZonedTime.Resolve(contact, fallback).Id);
    }

    [Theory]
    [InlineData("2026-11-23T09:00:00", "2026-11-23T09:00:00+01:00")]
    [InlineData("2026-07-01T09:00:00", "2026-07-01T09:00:00+02:00")]
    // Skipped by spring-forward (02:00 -> 03:00): moves forward by the gap.
    [InlineData("2026-03-29T02:30:00", "2026-03-29T03:30:00+02:00")]
    [InlineData("2026-03-29T02:00:00", "2026-03-29T03:00:00+02:00")]
    // Repeated by fall-back (03:00 -> 02:00): the first occurrence, still in summer time.
    [InlineData("2026-10-25T02:30:00", "2026-10-25T02:30:00+02:00")]
    [InlineData("2026-10-25T03:00:00", "2026-10-25T03:00:00+01:00")]
    public void FromLocal_Madrid_ResolvesGapsAndOverlaps(string local, string expected)
    {
        var result = ZonedTime.FromLocal(DateTime.Parse(local, CultureInfo.InvariantCulture), Madrid);

        var want = DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture);
        Assert.Equal(want, result);
        Assert.Equal(want.Offset, result.Offset);
    }

    [Fact]
    public void FromLocal_UtcKindInput_IsTreatedAsWallClock()
    {
        var local = new DateTime(2026, 7, 1, 9, 0, 0, DateTimeKind.Utc);

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.FromHours(2)), ZonedTime.FromLocal(local, Madrid));
    }

    [Theory]
    [InlineData("09:00", 9, 0)]
    [InlineData("9:05", 9, 5)]
    [InlineData("23:59", 23, 59)]
    [InlineData("00:00", 0, 0)]
    [InlineData("20:00:00", 20, 0)]
    public void TryParseTimeOfDay_Valid_Parses(string text, int hour, int minute)
    {
        Assert.True(ZonedTime.TryParseTimeOfDay(text, out var time));
        Assert.Equal(new TimeOnly(hour, minute), time);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("24:00")]
    [InlineData("9am")]
    [InlineData("09:60")]
    [InlineData("0900")]
    public void TryParseTimeOfDay_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(ZonedTime.TryParseTimeOfDay(text, out _));
    }
}

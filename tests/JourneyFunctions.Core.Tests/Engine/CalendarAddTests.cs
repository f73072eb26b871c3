using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>The machine's short way to calendar waits gives exactly what <see cref="IsoDuration.AddTo"/> gives.</summary>
public sealed class CalendarAddTests
{
    public static TheoryData<string> Zones => ["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "UTC"];

    [Theory]
    [MemberData(nameof(Zones))]
    public void To_EveryHalfHourOfAYear_SameInstantAndOffsetAsAddTo(string zoneId)
    {
        var zone = ZonedTime.Resolve(zoneId);
        string[] durations = ["P1D", "P7D", "P1M", "P1Y", "-P1D", "P1DT2H30M", "P3W", "-P1M", "PT1H"];
        var parsed = durations.Select(IsoDuration.Parse).ToArray();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var instant = start; instant < start.AddYears(1); instant = instant.AddMinutes(30))
        {
            foreach (var duration in parsed)
            {
                var expected = duration.AddTo(instant, zone);
                var actual = CalendarAdd.To(duration, instant, zone);
                Assert.True(expected.UtcDateTime == actual.UtcDateTime && expected.Offset == actual.Offset,
                    $"{duration} from {instant:O} in {zoneId}: {actual:O}, expected {expected:O}");
            }
        }
    }

    [Theory]
    [InlineData("2026-03-28T02:30:00+01:00", "P1D")] // lands in the hour Madrid skips on 29 March
    [InlineData("2026-10-24T02:30:00+02:00", "P1D")] // lands in the hour Madrid repeats on 25 October
    [InlineData("2026-03-29T03:30:00+02:00", "-P1D")]
    public void To_LandingOnADstChange_SameAsAddTo(string from, string duration)
    {
        var zone = ZonedTime.Resolve("Europe/Madrid");
        var instant = DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture);
        var d = IsoDuration.Parse(duration);

        var expected = d.AddTo(instant, zone);
        var actual = CalendarAdd.To(d, instant, zone);

        Assert.Equal((expected.UtcDateTime, expected.Offset), (actual.UtcDateTime, actual.Offset));
    }

    [Fact]
    public void To_OffTheCalendar_ThrowsAsAddToDoes()
    {
        var d = IsoDuration.Parse("P1000Y");
        var zone = ZonedTime.Resolve("Europe/Madrid");

        Assert.Throws<ArgumentOutOfRangeException>(() => d.AddTo(DateTimeOffset.MaxValue.AddYears(-10), zone));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalendarAdd.To(d, DateTimeOffset.MaxValue.AddYears(-10), zone));
    }
}

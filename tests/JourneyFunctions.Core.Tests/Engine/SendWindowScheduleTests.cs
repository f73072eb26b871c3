using System.Globalization;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Tests.Engine;

public sealed class SendWindowScheduleTests
{
    private static SendWindowSchedule Schedule(string from, string to, params Weekday[] days)
    {
        Assert.True(SendWindowSchedule.TryCreate(new SendWindow { From = from, To = to, Days = days.Length == 0 ? null : days }, out var schedule, out var error), error);
        return schedule!;
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    [Theory]
    // 2026-11-23 is a Monday; Madrid is UTC+1 in November.
    [InlineData("09:00", "20:00", "2026-11-23T09:00:00+01:00", true)]
    [InlineData("09:00", "20:00", "2026-11-23T08:59:00+01:00", false)]
    [InlineData("09:00", "20:00", "2026-11-23T19:59:00+01:00", true)]
    [InlineData("09:00", "20:00", "2026-11-23T20:00:00+01:00", false)]
    [InlineData("09:00", "20:00", "2026-11-23T08:30:00Z", true)]
    // Crossing midnight: the evening and the following early morning.
    [InlineData("22:00", "06:00", "2026-11-23T23:30:00+01:00", true)]
    [InlineData("22:00", "06:00", "2026-11-24T05:59:00+01:00", true)]
    [InlineData("22:00", "06:00", "2026-11-24T06:00:00+01:00", false)]
    [InlineData("22:00", "06:00", "2026-11-24T12:00:00+01:00", false)]
    // Equal ends: the whole day.
    [InlineData("00:00", "00:00", "2026-11-24T03:00:00+01:00", true)]
    public void IsOpen_EveryDay_Expected(string from, string to, string at, bool open)
    {
        Assert.Equal(open, Schedule(from, to).IsOpen(At(at), ZonedTime.Find("Europe/Madrid")!));
    }

    [Theory]
    // Weekdays only: Saturday is closed; a night window belongs to the day it opens on.
    [InlineData("09:00", "20:00", "2026-11-28T12:00:00+01:00", false)]
    [InlineData("09:00", "20:00", "2026-11-27T12:00:00+01:00", true)]
    [InlineData("22:00", "06:00", "2026-11-28T02:00:00+01:00", true)]
    [InlineData("22:00", "06:00", "2026-11-28T23:00:00+01:00", false)]
    [InlineData("22:00", "06:00", "2026-11-24T02:00:00+01:00", true)]
    [InlineData("22:00", "06:00", "2026-11-23T02:00:00+01:00", false)]
    public void IsOpen_WeekdaysOnly_Expected(string from, string to, string at, bool open)
    {
        var schedule = Schedule(from, to, Weekday.Monday, Weekday.Tuesday, Weekday.Wednesday, Weekday.Thursday, Weekday.Friday);

        Assert.Equal(open, schedule.IsOpen(At(at), ZonedTime.Find("Europe/Madrid")!));
    }

    [Theory]
    [InlineData("09:00", "20:00", "2026-11-23T21:00:00+01:00", "2026-11-24T09:00:00+01:00")]
    [InlineData("09:00", "20:00", "2026-11-23T07:00:00+01:00", "2026-11-23T09:00:00+01:00")]
    // Friday night with a Monday-to-Friday window: Monday.
    [InlineData("09:00", "20:00", "2026-11-27T20:30:00+01:00", "2026-11-30T09:00:00+01:00")]
    // Across the spring-forward night, 09:00 local is 07:00 UTC instead of 08:00.
    [InlineData("09:00", "20:00", "2026-03-27T21:00:00+01:00", "2026-03-30T09:00:00+02:00")]
    public void NextOpening_Madrid_Expected(string from, string to, string now, string expected)
    {
        var schedule = Schedule(from, to, Weekday.Monday, Weekday.Tuesday, Weekday.Wednesday, Weekday.Thursday, Weekday.Friday);

        var opening = schedule.NextOpening(At(now), ZonedTime.Find("Europe/Madrid")!);

        Assert.Equal(At(expected), opening);
    }

    [Fact]
    public void NextOpening_SkippedByDst_IsTheFirstValidInstantAfter()
    {
        // 02:30 does not exist in Madrid on the night of 29 March 2026 (02:00 jumps to 03:00).
        var opening = Schedule("02:30", "05:00").NextOpening(At("2026-03-29T00:30:00+01:00"), ZonedTime.Find("Europe/Madrid")!);

        Assert.Equal(At("2026-03-29T03:30:00+02:00"), opening);
    }

    [Fact]
    public void NextOpening_OpenNow_IsTheNextDaysOpening()
    {
        var schedule = Schedule("09:00", "20:00");

        var opening = schedule.NextOpening(At("2026-11-23T10:00:00Z"), TimeZoneInfo.Utc);

        Assert.Equal(At("2026-11-24T09:00:00Z"), opening);
    }

    [Theory]
    [InlineData("9", "20:00", "opens at '9'")]
    [InlineData("09:00", "25:00", "closes at '25:00'")]
    [InlineData("", "20:00", "opens at ''")]
    public void TryCreate_BadTime_SaysWhich(string from, string to, string expected)
    {
        Assert.False(SendWindowSchedule.TryCreate(new SendWindow { From = from, To = to }, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Machine_InvalidSendWindow_FailsTheRunAtTheEmail()
    {
        var journey = MachineTestKit.Journey("""{"id":"w","type":"wait","duration":"PT1H"},{"id":"e","type":"email","template":"t"}""", """ "sendWindow":{"from":"nine","to":"20:00"}""");
        var started = MachineTestKit.Start(journey, MachineTestKit.Contact(), MachineTestKit.Now);

        var result = JourneyMachine.Handle(journey, started.State, new TimerFired(1), MachineTestKit.Contact(), MachineTestKit.Now.AddHours(1));

        Assert.Equal(CompletionReason.Failed, result.State.Completion);
        Assert.Contains("'nine'", result.State.CompletionDetail, StringComparison.Ordinal);
    }
}

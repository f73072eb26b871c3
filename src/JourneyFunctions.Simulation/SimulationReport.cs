using System.Globalization;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Simulation;

/// <summary>
/// What a simulation did: the contact's timeline (events, the machine's decisions with their reasons, effects), the
/// emails as rendered, the runs, the contact at the end, and the result of each expectation. Times are instants;
/// <c>Local</c> fields give the same instant in the contact's zone, as the marketer reads it.
/// </summary>
public sealed record SimulationReport
{
    public required string Scenario { get; init; }

    public required string JourneyId { get; init; }

    public required string JourneyName { get; init; }

    public required int Version { get; init; }

    public required string ContactId { get; init; }

    public required string TimeZone { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public IReadOnlyList<SimulationEntry> Timeline { get; init; } = [];

    public IReadOnlyList<SimulatedEmail> Emails { get; init; } = [];

    public IReadOnlyList<SimulatedWebhookCall> Webhooks { get; init; } = [];

    public IReadOnlyList<SimulatedRun> Runs { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, JsonElement> Fields { get; init; } = new Dictionary<string, JsonElement>();

    public bool MarketingConsent { get; init; }

    /// <summary>
    /// The journey's stats counters at the end, as <c>GET /api/journeys/{id}/stats</c> counts them in a host: key ""
    /// holds the journey totals (entered, goal, finished ...), any other key is a step id (visited, sent ...).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Counters { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, long>>();

    /// <summary>What looks wrong in the scenario but does not fail it (a scripted event nothing in the journey listens to).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Why the simulation stopped early (an activity or routing failed), or null when it ran to the end.</summary>
    public string? Error { get; init; }

    public IReadOnlyList<ExpectationResult> Expectations { get; init; } = [];

    /// <summary>True when the simulation ran to the end and every expectation held.</summary>
    public bool Passed => Error is null && Expectations.All(e => e.Passed);
}

/// <summary>One line of the timeline. <see cref="Kind"/>: event, journey (a decision of the machine), email, tags, field.</summary>
public sealed record SimulationEntry(DateTimeOffset At, string Local, string Kind, string? StepId, string Message);

public sealed record SimulatedEmail(DateTimeOffset At, string Local, string? StepId, string? Template, string To, string Subject, string Html, string Text, IReadOnlyDictionary<string, string> Headers);

public sealed record SimulatedWebhookCall(DateTimeOffset At, string Local, string? StepId, string Method, string Url, string Body, int Status);

public sealed record SimulatedRun(string RunId, string? Key, RunStatus Status, string? StepId, CompletionReason? Completion, string? CompletionDetail, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, DateTimeOffset? GoalReachedAt);

/// <summary>One expectation, in words, whether it held, and what was found instead when it did not.</summary>
public sealed record ExpectationResult(string Expectation, bool Passed, string? Detail);

/// <summary>Writes a report as the plain-text table <c>journeys simulate</c> prints.</summary>
public static class SimulationReportText
{
    public static string Format(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        var zone = report.TimeZone;
        sb.Append("Journey   ").Append(report.JourneyName).Append(" (").Append(report.JourneyId).Append(" v").Append(report.Version.ToString(CultureInfo.InvariantCulture)).Append(")\n");
        sb.Append("Scenario  ").Append(report.Scenario).Append('\n');
        sb.Append("Contact   ").Append(report.ContactId).Append(", ").Append(zone).Append('\n');
        sb.Append("From      ").Append(Long(report.Start, zone)).Append(" to ").Append(Long(report.End, zone)).Append('\n');
        sb.Append('\n');

        var stepWidth = Math.Max(4, report.Timeline.Select(e => (e.StepId ?? "-").Length).DefaultIfEmpty(0).Max());
        var localWidth = Math.Max(10, report.Timeline.Select(e => e.Local.Length).DefaultIfEmpty(0).Max());
        sb.Append("TIME".PadRight(localWidth)).Append("  ").Append("STEP".PadRight(stepWidth)).Append("  ").Append("KIND     ").Append("WHAT AND WHY\n");
        foreach (var entry in report.Timeline)
        {
            sb.Append(entry.Local.PadRight(localWidth)).Append("  ")
                .Append((entry.StepId ?? "-").PadRight(stepWidth)).Append("  ")
                .Append(KindText(entry.Kind).PadRight(9))
                .Append(entry.Message).Append('\n');
        }

        sb.Append('\n');
        sb.Append("Emails    ").Append(report.Emails.Count.ToString(CultureInfo.InvariantCulture)).Append(" sent\n");
        foreach (var email in report.Emails)
        {
            sb.Append("          ").Append(email.Local).Append("  ").Append(email.Template ?? email.StepId ?? "?").Append("  \"").Append(email.Subject).Append("\" to ").Append(email.To).Append('\n');
        }

        foreach (var run in report.Runs)
        {
            sb.Append("Run       ").Append(run.RunId).Append(": ");
            sb.Append(run.Status == RunStatus.Completed
                ? $"{CompletionText(run.Completion)}{(run.CompletionDetail is null ? string.Empty : " (" + run.CompletionDetail + ")")}"
                : $"{run.Status.ToString().ToLowerInvariant()} at {run.StepId}");
            if (run.GoalReachedAt is not null)
            {
                sb.Append(", goal reached");
            }

            sb.Append('\n');
        }

        sb.Append("Tags      ").Append(report.Tags.Count == 0 ? "(none)" : string.Join(", ", report.Tags)).Append('\n');
        if (report.Error is not null)
        {
            sb.Append("\nSTOPPED   ").Append(report.Error).Append('\n');
        }

        if (report.Expectations.Count > 0)
        {
            sb.Append('\n');
            foreach (var result in report.Expectations)
            {
                sb.Append(result.Passed ? "  PASS  " : "  FAIL  ").Append(result.Expectation);
                if (!result.Passed && result.Detail is not null)
                {
                    sb.Append(": ").Append(result.Detail);
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Short local time for the timeline: <c>Tue 3 Mar 09:00</c>.</summary>
    public static string Short(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The completion reason as written in scenario files and stored JSON (goal, exited, finished ...).</summary>
    public static string CompletionText(CompletionReason? reason) => reason switch
    {
        CompletionReason.Finished => "finished",
        CompletionReason.ExitedByRule => "exited",
        CompletionReason.GoalReached => "goal",
        CompletionReason.Cancelled => "cancelled",
        CompletionReason.Failed => "failed",
        _ => "completed",
    };

    private static string Long(DateTimeOffset instant, string zoneId)
    {
        var zone = Core.Time.ZonedTime.Resolve(zoneId);
        return TimeZoneInfo.ConvertTime(instant, zone).ToString("ddd d MMM yyyy HH:mm", CultureInfo.InvariantCulture);
    }

    private static string KindText(string kind) => kind switch
    {
        "journey" => "decision",
        _ => kind,
    };
}

using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Simulation;

/// <summary>
/// Checks a scenario's expectations against what the simulation did. Each result says the expectation in words and,
/// when it failed, what happened instead (the emails that did go out and when, how the run really ended), so a failing
/// journey test explains itself in CI output.
/// </summary>
public static class ExpectationChecker
{
    public static IReadOnlyList<ExpectationResult> Check(Scenario scenario, SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(report);
        var zone = ZonedTime.Resolve(report.TimeZone);
        return scenario.Expect.Select(x => Check(scenario, report, x, zone)).ToList();
    }

    private static ExpectationResult Check(Scenario scenario, SimulationReport report, ScenarioExpectation x, TimeZoneInfo zone)
    {
        if (x.Email is { } email)
        {
            return CheckEmail(scenario, report, x, email, zone);
        }

        if (x.NoEmail is { } noEmail)
        {
            var sent = EmailsOf(report, noEmail).ToList();
            return new ExpectationResult($"no email {noEmail}", sent.Count == 0, sent.Count == 0 ? null : "sent " + Describe(sent));
        }

        if (x.Tag is { } tag)
        {
            var has = report.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase);
            return new ExpectationResult($"tag {tag}", has, has ? null : "the contact's tags are " + TagsText(report));
        }

        if (x.NoTag is { } noTag)
        {
            var has = report.Tags.Contains(noTag, StringComparer.OrdinalIgnoreCase);
            return new ExpectationResult($"no tag {noTag}", !has, has ? "the contact has it" : null);
        }

        if (x.Completed is { } completed)
        {
            return CheckCompleted(report, completed);
        }

        if (x.EmailCount is { } count)
        {
            var ok = report.Emails.Count == count;
            return new ExpectationResult($"{count.ToString(CultureInfo.InvariantCulture)} email(s)", ok, ok ? null : $"{report.Emails.Count.ToString(CultureInfo.InvariantCulture)} sent{(report.Emails.Count == 0 ? string.Empty : ": " + Describe(report.Emails))}");
        }

        if (x.Visited is { } visited)
        {
            var ok = Visited(report, visited);
            return new ExpectationResult($"visited {visited}", ok, ok ? null : "the run never reached it; steps reached: " + StepsText(report));
        }

        if (x.NotVisited is { } notVisited)
        {
            var ok = !Visited(report, notVisited);
            return new ExpectationResult($"never visited {notVisited}", ok, ok ? null : "the run reached it");
        }

        if (x.Entered is { } entered)
        {
            var did = report.Runs.Count > 0;
            var why = report.Timeline.LastOrDefault(e => e.Kind == "journey" && e.Message.StartsWith("Not entered", StringComparison.Ordinal))?.Message;
            return new ExpectationResult(entered ? "entered the journey" : "never entered the journey", did == entered, did == entered ? null : did ? $"entered ({report.Runs.Count.ToString(CultureInfo.InvariantCulture)} run(s))" : why ?? "no run started");
        }

        if (x.Field is { } field)
        {
            return CheckField(report, field, x.EqualTo);
        }

        if (x.Counter is { } counter)
        {
            return CheckCounter(report, counter, x.EqualTo);
        }

        return new ExpectationResult("(empty expectation)", false, "the expectation checks nothing");
    }

    private static ExpectationResult CheckEmail(Scenario scenario, SimulationReport report, ScenarioExpectation x, string email, TimeZoneInfo zone)
    {
        var words = $"email {email}";
        DateTimeOffset? at = null;
        if (x.At is not null && ScenarioFile.TryResolveTime(x.At, scenario.Start, zone, out var resolved, out _))
        {
            at = resolved;
            words += $" at {x.At} ({SimulationReportText.Short(resolved, zone)})";
        }

        TimeOnly? timeOfDay = null;
        DateTime? localDateTime = null;
        if (x.AtLocal is not null && ScenarioFile.TryParseLocal(x.AtLocal, out timeOfDay, out localDateTime))
        {
            words += $" at {x.AtLocal} local";
        }

        if (x.Subject is not null)
        {
            words += $" with subject containing \"{x.Subject}\"";
        }

        if (x.Contains is not null)
        {
            words += $" containing \"{x.Contains}\"";
        }

        if (x.Link is not null)
        {
            words += $" linking to {x.Link}";
        }

        var candidates = EmailsOf(report, email).ToList();
        if (candidates.Count == 0)
        {
            return new ExpectationResult(words, false, report.Emails.Count == 0 ? "no email was sent" : "not sent; sent instead: " + Describe(report.Emails));
        }

        bool Matches(SimulatedEmail e)
        {
            var local = TimeZoneInfo.ConvertTime(e.At, zone).DateTime;
            return (at is null || e.At == at)
                && (timeOfDay is null || TimeOnly.FromDateTime(local) == timeOfDay)
                && (localDateTime is null || local == localDateTime)
                && (x.Subject is null || e.Subject.Contains(x.Subject, StringComparison.OrdinalIgnoreCase))
                && (x.Contains is null || EmailContent.Contains(e, x.Contains))
                && (x.Link is null || EmailContent.Links(e).Any(l => EmailContent.LinkMatches(l, x.Link)));
        }

        var ok = candidates.Exists(Matches);
        if (ok)
        {
            return new ExpectationResult(words, true, null);
        }

        var detail = "sent " + Describe(candidates);
        if (x.Link is not null)
        {
            var links = candidates.SelectMany(EmailContent.Links).Distinct(StringComparer.Ordinal).ToList();
            detail += links.Count == 0 ? "; it has no links" : "; its links: " + string.Join(", ", links.Select(l => l.Length == 0 ? "(empty)" : l));
        }

        if (x.Contains is not null && !candidates.Exists(e => EmailContent.Contains(e, x.Contains)))
        {
            detail += $"; no such email contains \"{x.Contains}\"";
        }

        return new ExpectationResult(words, false, detail);
    }

    private static ExpectationResult CheckCounter(SimulationReport report, string counter, JsonElement? expected)
    {
        var dot = counter.LastIndexOf('.');
        var (key, name) = dot < 0 ? (string.Empty, counter) : (counter[..dot], counter[(dot + 1)..]);
        var actual = report.Counters.TryGetValue(key, out var counters) && counters.TryGetValue(name, out var n) ? n : 0;
        if (expected is { } want && want.TryGetInt64(out var wanted))
        {
            var ok = actual == wanted;
            return new ExpectationResult($"counter {counter} = {wanted.ToString(CultureInfo.InvariantCulture)}", ok, ok ? null : $"it is {actual.ToString(CultureInfo.InvariantCulture)}");
        }

        return new ExpectationResult($"counter {counter} > 0", actual > 0, actual > 0 ? null : "it is 0");
    }

    private static ExpectationResult CheckCompleted(SimulationReport report, string completed)
    {
        var words = completed is "waiting" or "active" ? "run still going" : $"run ended: {completed}";
        var run = report.Runs.OrderBy(r => r.StartedAt).LastOrDefault();
        if (run is null)
        {
            return new ExpectationResult(words, false, "the contact never entered the journey");
        }

        var actual = run.Status == RunStatus.Completed ? SimulationReportText.CompletionText(run.Completion) : "waiting";
        var ok = completed is "waiting" or "active" ? run.Status != RunStatus.Completed : actual == completed;
        var detail = run.Status == RunStatus.Completed
            ? $"the run ended {actual}{(run.CompletionDetail is null ? string.Empty : " (" + run.CompletionDetail + ")")}"
            : $"the run is still {run.Status.ToString().ToLowerInvariant()} at {run.StepId}";
        return new ExpectationResult(words, ok, ok ? null : detail);
    }

    private static ExpectationResult CheckField(SimulationReport report, string field, JsonElement? expected)
    {
        JsonElement? actual = string.Equals(field, "marketingConsent", StringComparison.OrdinalIgnoreCase)
            ? JsonSerializer.SerializeToElement(report.MarketingConsent)
            : report.Fields.TryGetValue(field, out var value) ? value : null;
        if (expected is not { } want)
        {
            return new ExpectationResult($"field {field} is set", actual is not null, actual is null ? "the contact has no such field" : null);
        }

        var ok = actual is { } got && JsonElement.DeepEquals(got, want);
        return new ExpectationResult($"field {field} = {want.GetRawText()}", ok, ok ? null : actual is { } a ? "it is " + a.GetRawText() : "the contact has no such field");
    }

    private static IEnumerable<SimulatedEmail> EmailsOf(SimulationReport report, string templateOrStep) =>
        report.Emails.Where(e => string.Equals(e.Template, templateOrStep, StringComparison.Ordinal) || string.Equals(e.StepId, templateOrStep, StringComparison.Ordinal));

    private static bool Visited(SimulationReport report, string stepId) =>
        report.Timeline.Any(e => e.Kind == "journey" && string.Equals(e.StepId, stepId, StringComparison.Ordinal));

    private static string Describe(IEnumerable<SimulatedEmail> emails) =>
        string.Join("; ", emails.Select(e => $"{e.Template ?? e.StepId} at {e.Local} \"{e.Subject}\""));

    private static string TagsText(SimulationReport report) => report.Tags.Count == 0 ? "(none)" : string.Join(", ", report.Tags);

    private static string StepsText(SimulationReport report)
    {
        var steps = report.Timeline.Where(e => e.Kind == "journey" && e.StepId is not null).Select(e => e.StepId!).Distinct().ToList();
        return steps.Count == 0 ? "(none)" : string.Join(", ", steps);
    }
}

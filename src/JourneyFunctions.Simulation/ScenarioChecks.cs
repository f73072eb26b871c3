using System.Globalization;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Simulation;

/// <summary>What checking a scenario against its journey found: errors keep it from running, warnings do not.</summary>
public sealed record ScenarioCheckResult(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// Checks a scenario against the journey it plays before it runs, so no check passes only because it names nothing:
/// every email, step, tag and field an expectation names must exist in the journey (or the scenario's contact), each
/// unknown name is an error with its JSON path and the closest known name; a scenario with no expectation is an error;
/// a scripted event that nothing in the journey listens to (trigger, waitForEvent, exit rules, goal) is a warning.
/// </summary>
public static class ScenarioChecks
{
    /// <summary>The one field name an expectation may read without a step setting it: the contact's consent.</summary>
    public const string MarketingConsentField = "marketingConsent";

    /// <summary>The journey totals a <c>counter</c> expectation may name (as <c>GET /api/journeys/{id}/stats</c> counts them).</summary>
    public static IReadOnlyList<string> JourneyCounters { get; } =
        [StatCounters.Entered, StatCounters.Goal, StatCounters.Finished, StatCounters.Exited, StatCounters.Cancelled, StatCounters.Failed];

    /// <summary>The per-step counters a <c>counter</c> expectation may name after a step id (<c>reminder-1.sent</c>).</summary>
    public static IReadOnlyList<string> StepCounters { get; } =
        [StatCounters.Visited, StatCounters.EmailsSent, StatCounters.EmailsSkipped, StatCounters.Delivered, StatCounters.Bounced, StatCounters.Opened, StatCounters.Clicked, StatCounters.Exited];

    public static ScenarioCheckResult Check(Scenario scenario, JourneyDefinition journey)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(journey);
        var errors = new List<string>();
        var warnings = new List<string>();
        if (scenario.Expect.Count == 0)
        {
            errors.Add("$.expect: the scenario has no expectation, so it would pass whatever the journey does; add at least one (e.g. { \"email\": \"welcome\" })");
        }

        var emails = journey.Steps.OfType<EmailStep>().SelectMany(s => new[] { s.Template, s.Id }).Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).ToList();
        var steps = journey.Steps.Select(s => s.Id).ToList();
        var tags = journey.Steps.OfType<TagsStep>().SelectMany(s => s.Add.Concat(s.Remove))
            .Concat(scenario.Contact.Tags ?? [])
            .Concat(journey.Trigger.TagAdded is { } t ? [t] : [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var fields = journey.Steps.OfType<SetFieldStep>().Select(s => s.Field)
            .Concat(scenario.Contact.Fields?.Keys ?? Enumerable.Empty<string>())
            .Append(MarketingConsentField)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        for (var i = 0; i < scenario.Expect.Count; i++)
        {
            var x = scenario.Expect[i];
            var path = "$.expect[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            Known(x.Email, "email", emails, "email template or email step", StringComparer.Ordinal);
            Known(x.NoEmail, "noEmail", emails, "email template or email step", StringComparer.Ordinal);
            Known(x.Visited, "visited", steps, "step", StringComparer.Ordinal);
            Known(x.NotVisited, "notVisited", steps, "step", StringComparer.Ordinal);
            Known(x.Tag, "tag", tags, "tag (added or removed by a tags step, or one the contact starts with)", StringComparer.OrdinalIgnoreCase);
            Known(x.NoTag, "noTag", tags, "tag (added or removed by a tags step, or one the contact starts with)", StringComparer.OrdinalIgnoreCase);
            Known(x.Field, "field", fields, "field (set by a setField step, or one the contact starts with)", StringComparer.Ordinal);
            if (x.Counter is { } counter)
            {
                CheckCounter(counter, path + ".counter");
            }

            void Known(string? name, string property, List<string> known, string what, StringComparer comparer)
            {
                if (name is null || known.Contains(name, comparer))
                {
                    return;
                }

                var hint = Suggestions.Closest(name, known) is { } s ? $"; did you mean \"{s}\"?" : known.Count == 0 ? string.Empty : "; known: " + string.Join(", ", known.Select(k => $"\"{k}\""));
                errors.Add($"{path}.{property}: journey {journey.Id} has no {what} \"{name}\", so this check could never fail{hint}");
            }
        }

        void CheckCounter(string counter, string at)
        {
            var dot = counter.LastIndexOf('.');
            if (dot < 0)
            {
                if (!JourneyCounters.Contains(counter, StringComparer.Ordinal))
                {
                    var stepHint = StepCounters.Contains(counter, StringComparer.Ordinal) ? $"; \"{counter}\" is a step's counter: name the step, e.g. \"{steps.FirstOrDefault() ?? "step"}.{counter}\"" : Suggestions.DidYouMean(counter, JourneyCounters);
                    errors.Add($"{at}: \"{counter}\" is not a counter of the journey (one of {string.Join(", ", JourneyCounters)}, or <stepId>.<counter>){stepHint}");
                }

                return;
            }

            var (stepId, name) = (counter[..dot], counter[(dot + 1)..]);
            if (!steps.Contains(stepId, StringComparer.Ordinal))
            {
                errors.Add($"{at}: journey {journey.Id} has no step \"{stepId}\", so this check could never fail{Suggestions.DidYouMean(stepId, steps)}");
            }

            if (!StepCounters.Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"{at}: \"{name}\" is not a step counter (one of {string.Join(", ", StepCounters)}){Suggestions.DidYouMean(name, StepCounters)}");
            }
        }

        var heard = new HashSet<string>(StringComparer.Ordinal);
        AddIf(journey.Trigger.Event);
        if (journey.Trigger.TagAdded is not null)
        {
            heard.Add(SystemEvents.TagAdded);
        }

        foreach (var rule in journey.ExitWhen)
        {
            AddIf(rule.Event);
        }

        AddIf(journey.Goal?.Event);
        foreach (var wait in journey.Steps.OfType<WaitForEventStep>())
        {
            AddIf(wait.Event);
        }

        for (var i = 0; i < scenario.Events.Count; i++)
        {
            var name = scenario.Events[i].Name;
            if (!heard.Contains(name))
            {
                warnings.Add($"$.events[{i.ToString(CultureInfo.InvariantCulture)}].name: nothing in journey {journey.Id} listens to \"{name}\" (not its trigger, a waitForEvent step, an exit rule or its goal){Suggestions.DidYouMean(name, heard)}");
            }
        }

        return new ScenarioCheckResult(errors, warnings);

        void AddIf(string? e)
        {
            if (!string.IsNullOrEmpty(e))
            {
                heard.Add(e);
            }
        }
    }
}

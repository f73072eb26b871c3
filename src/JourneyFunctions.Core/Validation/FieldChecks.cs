using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The semantic checks of a definition's own settings: ids, the trigger, re-entry, exit rules, the goal, the send
/// window, and each step's fields (durations, times, wait forms, split percentages, tags, webhooks, templates, step
/// references). Conditions are left to <see cref="ConditionChecks"/>.
/// </summary>
internal sealed partial class FieldChecks(SemanticContext context, ConditionChecks conditions)
{
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Everything outside the steps: id, trigger, re-entry, exit rules, goal, send window.</summary>
    public void CheckJourney()
    {
        var journey = context.Journey;
        CheckId(journey.Id, "$.id", "journey id");
        CheckTrigger(journey.Trigger, "$.trigger");
        CheckReentry(journey.Reentry, "$.reentry");
        for (var i = 0; i < journey.ExitWhen.Count; i++)
        {
            var rule = journey.ExitWhen[i];
            var path = JsonPaths.Index("$.exitWhen", i);
            context.CheckNotEmpty(rule.Event, path + ".event", "the exit rule needs the name of the event that ends the run, e.g. order.placed");
            conditions.CheckCondition(rule.Filter, path + ".filter");
        }

        if (journey.Goal is { } goal)
        {
            context.CheckNotEmpty(goal.Event, "$.goal.event", "the goal needs the name of the event that counts as a conversion, e.g. order.placed");
            CheckDuration(goal.Within, "$.goal.within", "the goal window", DurationSign.Positive);
            conditions.CheckCondition(goal.Filter, "$.goal.filter");
        }

        CheckSendWindow(journey.SendWindow, "$.sendWindow");
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    public void IndexSteps()
    {
        for (var i = 0; i < context.Journey.Steps.Count; i++)
        {
            var id = context.Journey.Steps[i].Id;
            CheckId(id, SemanticContext.StepPath(i) + ".id", "step id");
            if (!context.Index.TryAdd(id, i))
            {
                context.Add(SemanticContext.StepPath(i) + ".id", ValidationCodes.DuplicateStepId, $"step id \"{id}\" is already used by {SemanticContext.StepPath(context.Index[id])} (the {context.Journey.Steps[context.Index[id]].Kind} step); every step needs its own id");
            }
        }
    }

    private void CheckId(string id, string path, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            context.Add(path, ValidationCodes.InvalidId, $"the {what} is empty: use lowercase letters, digits and dashes, e.g. welcome-email");
        }
        else if (!IdPattern().IsMatch(id))
        {
            var fixedId = Regex.Replace(id.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
            var hint = fixedId.Length > 0 ? $", e.g. \"{fixedId}\"" : string.Empty;
            context.Add(path, ValidationCodes.InvalidId, $"the {what} \"{id}\" may only use lowercase letters, digits and single dashes between them{hint}");
        }
        else if (id.Length > 64)
        {
            context.Add(path, ValidationCodes.InvalidId, $"the {what} \"{id[..20]}...\" is {id.Length} characters long: keep it to 64 or fewer");
        }
    }

    private void CheckTrigger(Trigger trigger, string path)
    {
        var forms = new List<string>();
        if (trigger.Event is not null)
        {
            forms.Add("event");
            context.CheckNotEmpty(trigger.Event, path + ".event", "the trigger event is empty: name the event that starts a run, e.g. cart.updated");
        }

        if (trigger.TagAdded is not null)
        {
            forms.Add("tagAdded");
            context.CheckNotEmpty(trigger.TagAdded, path + ".tagAdded", "the trigger tag is empty: name the tag whose adding starts a run, e.g. vip");
        }

        if (trigger.InactiveFor is not null)
        {
            forms.Add("inactiveFor");
            CheckDuration(trigger.InactiveFor, path + ".inactiveFor", "the inactivity period", DurationSign.Positive);
        }

        if (forms.Count == 0)
        {
            context.Add(path, ValidationCodes.TriggerForm, "the trigger says nothing about what starts a run: give one of \"event\" (e.g. cart.updated), \"tagAdded\" or \"inactiveFor\" (e.g. P30D)");
        }
        else if (forms.Count > 1)
        {
            context.Add(path, ValidationCodes.TriggerForm, $"the trigger has {string.Join(" and ", forms.Select(f => $"\"{f}\""))}: a journey starts in one way only, keep one of them");
        }

        if (trigger.Key is { } key)
        {
            if (trigger.Event is null)
            {
                context.Add(path + ".key", ValidationCodes.KeyNotAllowed, "\"key\" (one run per cart, order ...) works only with an \"event\" trigger, whose data holds the key; remove it or trigger on an event");
            }
            else if (string.IsNullOrWhiteSpace(key) || key.Any(char.IsWhiteSpace) || key.StartsWith('.') || key.EndsWith('.'))
            {
                context.Add(path + ".key", ValidationCodes.MissingTriggerKey, $"the trigger key \"{key}\" does not name a field of the event data: write the field whose value tells runs apart, e.g. cartId");
            }
        }

        conditions.CheckCondition(trigger.Filter, path + ".filter", inTrigger: true);
    }

    private void CheckReentry(ReentryPolicy? reentry, string path)
    {
        if (reentry is null)
        {
            return;
        }

        if (reentry.Cooldown is not null)
        {
            if (reentry.Mode == ReentryMode.Never)
            {
                context.Add(path + ".cooldown", ValidationCodes.CooldownWithoutReentry, "a cool-down only applies when contacts may enter again: set \"mode\": \"afterExit\" or remove the cool-down");
            }

            CheckDuration(reentry.Cooldown, path + ".cooldown", "the cool-down", DurationSign.NotNegative);
        }
    }

    private void CheckSendWindow(SendWindow? window, string path)
    {
        if (window is null)
        {
            return;
        }

        var fromOk = CheckTimeOfDay(window.From, path + ".from", out var from);
        var toOk = CheckTimeOfDay(window.To, path + ".to", out var to);
        if (fromOk && toOk && from == to)
        {
            context.Add(path, ValidationCodes.EmptySendWindow, $"the send window opens and closes at the same time ({window.From}), so no email could ever go out: give different from and to times");
        }

        if (window.Days is { Count: 0 })
        {
            context.Add(path + ".days", ValidationCodes.EmptySendWindow, "the send window has no days, so no email could ever go out: list the days (e.g. [\"mon\", \"tue\"]) or leave \"days\" out for every day");
        }

        if (window.TimeZone is { } zone && ZonedTime.Find(zone) is null)
        {
            context.Add(path + ".timeZone", ValidationCodes.UnknownTimeZone, $"\"{zone}\" is not a known time zone{Suggestions.DidYouMeanThen(zone, KnownZones.Value)}Use an IANA name such as Europe/Madrid or America/New_York");
        }
    }

    private static readonly Lazy<string[]> KnownZones = new(() => TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").ToArray());

    private bool CheckTimeOfDay(string text, string path, out TimeOnly time)
    {
        if (!ZonedTime.TryParseTimeOfDay(text, out time))
        {
            context.Add(path, ValidationCodes.InvalidTime, $"\"{text}\" is not a time of day: write HH:mm on a 24-hour clock, e.g. 09:00 or 18:30");
            return false;
        }

        return true;
    }

    private enum DurationSign
    {
        Positive,
        NotNegative,
        Any,
    }

    private bool CheckDuration(string? text, string path, string what, DurationSign sign)
    {
        if (text is null)
        {
            return true;
        }

        if (!IsoDuration.TryParse(text, out var duration, out var error))
        {
            context.Add(path, ValidationCodes.InvalidDuration, $"{what} is not a valid duration: {error}");
            return false;
        }

        if (sign != DurationSign.Any && duration.Negative && !duration.IsZero)
        {
            context.Add(path, ValidationCodes.NegativeDuration, $"{what} \"{text}\" is negative: it must be a length of time forward, e.g. {duration with { Negative = false }}");
            return false;
        }

        if (sign == DurationSign.Positive && duration.IsZero)
        {
            context.Add(path, ValidationCodes.NegativeDuration, $"{what} \"{text}\" is zero: give a length of time, e.g. P1D");
            return false;
        }

        return true;
    }

    public void CheckStep(Step step, string path)
    {
        CheckReference(step.Next, path + ".next");
        switch (step)
        {
            case EmailStep email:
                CheckEmail(email, path);
                break;
            case WaitStep wait:
                CheckWait(wait, path);
                break;
            case WaitForEventStep waitForEvent:
                context.CheckNotEmpty(waitForEvent.Event, path + ".event", "the step waits for an event with no name: name it, e.g. order.placed");
                CheckDuration(waitForEvent.Timeout, path + ".timeout", "the timeout", DurationSign.Positive);
                CheckReference(waitForEvent.OnEvent, path + ".onEvent");
                CheckReference(waitForEvent.OnTimeout, path + ".onTimeout");
                conditions.CheckCondition(waitForEvent.Filter, path + ".filter");
                break;
            case BranchStep branch:
                conditions.CheckCondition(branch.If, path + ".if");
                CheckReference(branch.Then, path + ".then");
                CheckReference(branch.Else, path + ".else");
                break;
            case SplitStep split:
                CheckSplit(split, path);
                break;
            case TagsStep tags:
                CheckTags(tags, path);
                break;
            case SetFieldStep setField:
                CheckSetField(setField, path);
                break;
            case WebhookStep webhook:
                CheckWebhook(webhook, path);
                break;
            case ExitStep:
                break;
            default:
                context.Add(path + ".type", ValidationCodes.UnknownStepKind, $"steps of type \"{step.Kind}\" are not known to this version of the validator");
                break;
        }
    }

    private void CheckEmail(EmailStep email, string path)
    {
        if (string.IsNullOrWhiteSpace(email.Template))
        {
            context.Add(path + ".template", ValidationCodes.EmptyValue, "the email step names no template: give the name of a folder under templates/, e.g. welcome");
            return;
        }

        if (context.Templates is null)
        {
            return;
        }

        if (!context.Templates.Exists(email.Template))
        {
            context.Add(path + ".template", ValidationCodes.UnknownTemplate, $"there is no template \"{email.Template}\": create templates/{email.Template}/ with subject.liquid and body.html.liquid, or fix the name");
            return;
        }

        var scope = new TemplateScope(context.EventStepIds);
        foreach (var problem in context.Templates.Check(email.Template, scope))
        {
            var named = problem.Contains($"\"{email.Template}\"", StringComparison.Ordinal);
            context.Add(path + ".template", ValidationCodes.TemplateProblem, named ? problem : $"template \"{email.Template}\": {problem}");
        }
    }

    private void CheckWait(WaitStep wait, string path)
    {
        var forms = new List<string>();
        if (wait.Duration is not null)
        {
            forms.Add("duration");
        }

        if (wait.Until is not null)
        {
            forms.Add("until");
        }

        if (wait.RelativeTo is not null)
        {
            forms.Add("relativeTo");
        }

        if (forms.Count == 0)
        {
            context.Add(path, ValidationCodes.WaitForm, "the wait step does not say how long to wait: give \"duration\" (e.g. P2D), \"until\" (a time of day) or \"relativeTo\" (a date field)");
        }
        else if (wait.Until is not null && forms.Count > 1)
        {
            context.Add(path, ValidationCodes.WaitForm, $"the wait step has {string.Join(" and ", forms.Select(f => $"\"{f}\""))}: \"until\" cannot be combined with the others, keep one");
        }

        if (wait.Offset is not null && wait.RelativeTo is null)
        {
            context.Add(path + ".offset", ValidationCodes.WaitForm, "\"offset\" only applies to \"relativeTo\": add the date field to wait for, or use \"duration\" instead");
        }

        CheckDuration(wait.Duration, path + ".duration", "the wait", DurationSign.NotNegative);
        CheckDuration(wait.Offset, path + ".offset", "the offset", DurationSign.Any);
        if (wait.RelativeTo is not null)
        {
            conditions.CheckFieldPath(wait.RelativeTo, path + ".relativeTo");
        }

        if (wait.Until is { } until)
        {
            CheckTimeOfDay(until.Time, path + ".until.time", out _);
            if (until.Days is { Count: 0 })
            {
                context.Add(path + ".until.days", ValidationCodes.WaitForm, "the wait lists no days, so it would never end: list the days (e.g. [\"mon\"]) or leave \"days\" out for any day");
            }
        }
    }

    private void CheckSplit(SplitStep split, string path)
    {
        if (split.Paths.Count < 2)
        {
            context.Add(path + ".paths", ValidationCodes.SplitPaths, $"a split needs at least two paths; this one has {split.Paths.Count}");
        }

        var total = 0L;
        var inRange = true;
        for (var p = 0; p < split.Paths.Count; p++)
        {
            var splitPath = split.Paths[p];
            var itemPath = JsonPaths.Index(path + ".paths", p);
            if (splitPath.Percent is < 0 or > 100)
            {
                context.Add(itemPath + ".percent", ValidationCodes.SplitPercent, $"{splitPath.Percent}% is not a share of contacts: use a number from 0 to 100");
                inRange = false;
            }

            total += splitPath.Percent;
            CheckReference(splitPath.Next, itemPath + ".next");
        }

        if (inRange && split.Paths.Count > 0 && total != 100)
        {
            var parts = string.Join(" + ", split.Paths.Select(p => p.Percent.ToString(CultureInfo.InvariantCulture)));
            context.Add(path + ".paths", ValidationCodes.SplitTotal, $"the split percentages add up to {total} ({parts}); they must add up to exactly 100");
        }
    }

    private void CheckTags(TagsStep tags, string path)
    {
        if (tags.Add.Count == 0 && tags.Remove.Count == 0)
        {
            context.Add(path, ValidationCodes.EmptyTags, "the tags step neither adds nor removes a tag: list tags under \"add\" or \"remove\"");
        }

        for (var i = 0; i < tags.Add.Count; i++)
        {
            context.CheckNotEmpty(tags.Add[i], JsonPaths.Index(path + ".add", i), "a tag name is empty");
        }

        for (var i = 0; i < tags.Remove.Count; i++)
        {
            context.CheckNotEmpty(tags.Remove[i], JsonPaths.Index(path + ".remove", i), "a tag name is empty");
        }
    }

    private void CheckSetField(SetFieldStep setField, string path)
    {
        context.CheckNotEmpty(setField.Field, path + ".field", "the setField step names no field: give the contact field to set, e.g. loyaltyTier");
        if (string.Equals(setField.Field, "marketingConsent", StringComparison.Ordinal)
            && setField.Value is not { ValueKind: JsonValueKind.True or JsonValueKind.False })
        {
            var found = setField.Value is { } v ? v.GetRawText() : "nothing";
            context.Add(path + ".value", ValidationCodes.InvalidConsentValue, $"marketingConsent is a yes/no field: set it to true (subscribe) or false (unsubscribe), not {found}");
        }
    }

    private void CheckWebhook(WebhookStep webhook, string path)
    {
        if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            context.Add(path + ".url", ValidationCodes.InvalidUrl, $"\"{webhook.Url}\" is not a full web address: write it with https://, e.g. https://crm.example.com/hooks/journey");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            context.Add(path + ".url", ValidationCodes.InvalidUrl, $"\"{webhook.Url}\" uses http: contact data must travel encrypted, use https:// (http is allowed only for localhost)");
        }

        if (!HttpMethods.Contains(webhook.Method, StringComparer.Ordinal))
        {
            var upper = webhook.Method.ToUpperInvariant();
            var hint = HttpMethods.Contains(upper, StringComparer.Ordinal) ? $"; write it in capitals: \"{upper}\"" : string.Empty;
            context.Add(path + ".method", ValidationCodes.InvalidMethod, $"\"{webhook.Method}\" is not a method a webhook can use{hint}. Use one of {string.Join(", ", HttpMethods)}");
        }

        if (webhook.Headers is { } headers)
        {
            foreach (var name in headers.Keys)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c == ':' || c > '~'))
                {
                    context.Add(JsonPaths.Property(path + ".headers", name), ValidationCodes.InvalidValue, $"\"{name}\" is not a valid HTTP header name: use letters, digits and dashes, e.g. X-Api-Key");
                }
            }
        }
    }

    private void CheckReference(string? target, string path)
    {
        if (target is null)
        {
            return;
        }

        if (!context.Index.ContainsKey(target))
        {
            context.Add(path, ValidationCodes.DanglingStep, $"step \"{target}\" does not exist{Suggestions.DidYouMean(target, context.Index.Keys)}");
        }
    }
}

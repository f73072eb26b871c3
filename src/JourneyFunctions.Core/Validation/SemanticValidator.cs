using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The semantic pass over a deserialized definition: ids, step references and the step graph (reachability, loops
/// without a wait), durations, times and zones, trigger and wait forms, conditions, webhooks and templates. Paths
/// are the JSON paths of the file the definition came from (steps keep their list positions).
/// </summary>
internal sealed partial class SemanticValidator
{
    private static readonly string[] FieldRoots = ["contact", "trigger", "event", "events"];

    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private readonly JourneyDefinition journey;

    private readonly ITemplateCatalog? templates;

    private readonly List<ValidationError> errors;

    /// <summary>Ids of the steps whose received data later steps read as events.&lt;id&gt; (waitForEvent and webhook).</summary>
    private string[]? eventStepIds;

    /// <summary>Step id to the index of its first occurrence.</summary>
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

    public SemanticValidator(JourneyDefinition journey, ITemplateCatalog? templates, List<ValidationError> errors)
    {
        this.journey = journey;
        this.templates = templates;
        this.errors = errors;
    }

    public void Run()
    {
        CheckId(journey.Id, "$.id", "journey id");
        CheckTrigger(journey.Trigger, "$.trigger");
        CheckReentry(journey.Reentry, "$.reentry");
        for (var i = 0; i < journey.ExitWhen.Count; i++)
        {
            var rule = journey.ExitWhen[i];
            var path = JsonPaths.Index("$.exitWhen", i);
            CheckNotEmpty(rule.Event, path + ".event", "the exit rule needs the name of the event that ends the run, e.g. order.placed");
            CheckCondition(rule.Filter, path + ".filter");
        }

        if (journey.Goal is { } goal)
        {
            CheckNotEmpty(goal.Event, "$.goal.event", "the goal needs the name of the event that counts as a conversion, e.g. order.placed");
            CheckDuration(goal.Within, "$.goal.within", "the goal window", DurationSign.Positive);
            CheckCondition(goal.Filter, "$.goal.filter");
        }

        CheckSendWindow(journey.SendWindow, "$.sendWindow");
        if (journey.Steps.Count == 0)
        {
            Add("$.steps", ValidationCodes.NoSteps, "the journey has no steps: add at least one, e.g. an email step");
            return;
        }

        IndexSteps();
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            CheckStep(journey.Steps[i], JsonPaths.Index("$.steps", i));
        }

        CheckGraph();
    }

    private static string StepPath(int i) => JsonPaths.Index("$.steps", i);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    private void IndexSteps()
    {
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            var id = journey.Steps[i].Id;
            CheckId(id, StepPath(i) + ".id", "step id");
            if (!index.TryAdd(id, i))
            {
                Add(StepPath(i) + ".id", ValidationCodes.DuplicateStepId, $"step id \"{id}\" is already used by step {index[id] + 1} (the {journey.Steps[index[id]].Kind} step); every step needs its own id");
            }
        }
    }

    private void CheckId(string id, string path, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            Add(path, ValidationCodes.InvalidId, $"the {what} is empty: use lowercase letters, digits and dashes, e.g. welcome-email");
        }
        else if (!IdPattern().IsMatch(id))
        {
            var fixedId = Regex.Replace(id.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
            var hint = fixedId.Length > 0 ? $", e.g. \"{fixedId}\"" : string.Empty;
            Add(path, ValidationCodes.InvalidId, $"the {what} \"{id}\" may only use lowercase letters, digits and single dashes between them{hint}");
        }
        else if (id.Length > 64)
        {
            Add(path, ValidationCodes.InvalidId, $"the {what} \"{id[..20]}...\" is {id.Length} characters long: keep it to 64 or fewer");
        }
    }

    private void CheckTrigger(Trigger trigger, string path)
    {
        var forms = new List<string>();
        if (trigger.Event is not null)
        {
            forms.Add("event");
            CheckNotEmpty(trigger.Event, path + ".event", "the trigger event is empty: name the event that starts a run, e.g. cart.updated");
        }

        if (trigger.TagAdded is not null)
        {
            forms.Add("tagAdded");
            CheckNotEmpty(trigger.TagAdded, path + ".tagAdded", "the trigger tag is empty: name the tag whose adding starts a run, e.g. vip");
        }

        if (trigger.InactiveFor is not null)
        {
            forms.Add("inactiveFor");
            CheckDuration(trigger.InactiveFor, path + ".inactiveFor", "the inactivity period", DurationSign.Positive);
        }

        if (forms.Count == 0)
        {
            Add(path, ValidationCodes.TriggerForm, "the trigger says nothing about what starts a run: give one of \"event\" (e.g. cart.updated), \"tagAdded\" or \"inactiveFor\" (e.g. P30D)");
        }
        else if (forms.Count > 1)
        {
            Add(path, ValidationCodes.TriggerForm, $"the trigger has {string.Join(" and ", forms.Select(f => $"\"{f}\""))}: a journey starts in one way only, keep one of them");
        }

        if (trigger.Key is { } key)
        {
            if (trigger.Event is null)
            {
                Add(path + ".key", ValidationCodes.KeyNotAllowed, "\"key\" (one run per cart, order ...) works only with an \"event\" trigger, whose data holds the key; remove it or trigger on an event");
            }
            else if (string.IsNullOrWhiteSpace(key) || key.Any(char.IsWhiteSpace) || key.StartsWith('.') || key.EndsWith('.'))
            {
                Add(path + ".key", ValidationCodes.MissingTriggerKey, $"the trigger key \"{key}\" does not name a field of the event data: write the field whose value tells runs apart, e.g. cartId");
            }
        }

        CheckCondition(trigger.Filter, path + ".filter");
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
                Add(path + ".cooldown", ValidationCodes.CooldownWithoutReentry, "a cool-down only applies when contacts may enter again: set \"mode\": \"afterExit\" or remove the cool-down");
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
            Add(path, ValidationCodes.EmptySendWindow, $"the send window opens and closes at the same time ({window.From}), so no email could ever go out: give different from and to times");
        }

        if (window.Days is { Count: 0 })
        {
            Add(path + ".days", ValidationCodes.EmptySendWindow, "the send window has no days, so no email could ever go out: list the days (e.g. [\"mon\", \"tue\"]) or leave \"days\" out for every day");
        }

        if (window.TimeZone is { } zone && ZonedTime.Find(zone) is null)
        {
            Add(path + ".timeZone", ValidationCodes.UnknownTimeZone, $"\"{zone}\" is not a known time zone{Suggestions.DidYouMeanThen(zone, KnownZones.Value)}Use an IANA name such as Europe/Madrid or America/New_York");
        }
    }

    private static readonly Lazy<string[]> KnownZones = new(() => TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").ToArray());

    private bool CheckTimeOfDay(string text, string path, out TimeOnly time)
    {
        if (!ZonedTime.TryParseTimeOfDay(text, out time))
        {
            Add(path, ValidationCodes.InvalidTime, $"\"{text}\" is not a time of day: write HH:mm on a 24-hour clock, e.g. 09:00 or 18:30");
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
            Add(path, ValidationCodes.InvalidDuration, $"{what} is not a valid duration: {error}");
            return false;
        }

        if (sign != DurationSign.Any && duration.Negative && !duration.IsZero)
        {
            Add(path, ValidationCodes.NegativeDuration, $"{what} \"{text}\" is negative: it must be a length of time forward, e.g. {duration with { Negative = false }}");
            return false;
        }

        if (sign == DurationSign.Positive && duration.IsZero)
        {
            Add(path, ValidationCodes.NegativeDuration, $"{what} \"{text}\" is zero: give a length of time, e.g. P1D");
            return false;
        }

        return true;
    }

    private void CheckNotEmpty(string? value, string path, string message)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            Add(path, ValidationCodes.EmptyValue, message);
        }
    }

    private void CheckStep(Step step, string path)
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
                CheckNotEmpty(waitForEvent.Event, path + ".event", "the step waits for an event with no name: name it, e.g. order.placed");
                CheckDuration(waitForEvent.Timeout, path + ".timeout", "the timeout", DurationSign.Positive);
                CheckReference(waitForEvent.OnEvent, path + ".onEvent");
                CheckReference(waitForEvent.OnTimeout, path + ".onTimeout");
                CheckCondition(waitForEvent.Filter, path + ".filter");
                break;
            case BranchStep branch:
                CheckCondition(branch.If, path + ".if");
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
                Add(path + ".type", ValidationCodes.UnknownStepKind, $"steps of type \"{step.Kind}\" are not known to this version of the validator");
                break;
        }
    }

    private void CheckEmail(EmailStep email, string path)
    {
        if (string.IsNullOrWhiteSpace(email.Template))
        {
            Add(path + ".template", ValidationCodes.EmptyValue, "the email step names no template: give the name of a folder under templates/, e.g. welcome");
            return;
        }

        if (templates is null)
        {
            return;
        }

        if (!templates.Exists(email.Template))
        {
            Add(path + ".template", ValidationCodes.UnknownTemplate, $"there is no template \"{email.Template}\": create templates/{email.Template}/ with subject.liquid and body.html.liquid, or fix the name");
            return;
        }

        var scope = new TemplateScope(EventStepIds);
        foreach (var problem in templates.Check(email.Template, scope))
        {
            var named = problem.Contains($"\"{email.Template}\"", StringComparison.Ordinal);
            Add(path + ".template", ValidationCodes.TemplateProblem, named ? problem : $"template \"{email.Template}\": {problem}");
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
            Add(path, ValidationCodes.WaitForm, "the wait step does not say how long to wait: give \"duration\" (e.g. P2D), \"until\" (a time of day) or \"relativeTo\" (a date field)");
        }
        else if (wait.Until is not null && forms.Count > 1)
        {
            Add(path, ValidationCodes.WaitForm, $"the wait step has {string.Join(" and ", forms.Select(f => $"\"{f}\""))}: \"until\" cannot be combined with the others, keep one");
        }

        if (wait.Offset is not null && wait.RelativeTo is null)
        {
            Add(path + ".offset", ValidationCodes.WaitForm, "\"offset\" only applies to \"relativeTo\": add the date field to wait for, or use \"duration\" instead");
        }

        CheckDuration(wait.Duration, path + ".duration", "the wait", DurationSign.NotNegative);
        CheckDuration(wait.Offset, path + ".offset", "the offset", DurationSign.Any);
        if (wait.RelativeTo is not null)
        {
            CheckFieldPath(wait.RelativeTo, path + ".relativeTo");
        }

        if (wait.Until is { } until)
        {
            CheckTimeOfDay(until.Time, path + ".until.time", out _);
            if (until.Days is { Count: 0 })
            {
                Add(path + ".until.days", ValidationCodes.WaitForm, "the wait lists no days, so it would never end: list the days (e.g. [\"mon\"]) or leave \"days\" out for any day");
            }
        }
    }

    private void CheckSplit(SplitStep split, string path)
    {
        if (split.Paths.Count < 2)
        {
            Add(path + ".paths", ValidationCodes.SplitPaths, $"a split needs at least two paths; this one has {split.Paths.Count}");
        }

        var total = 0L;
        var inRange = true;
        for (var p = 0; p < split.Paths.Count; p++)
        {
            var splitPath = split.Paths[p];
            var itemPath = JsonPaths.Index(path + ".paths", p);
            if (splitPath.Percent is < 0 or > 100)
            {
                Add(itemPath + ".percent", ValidationCodes.SplitPercent, $"{splitPath.Percent}% is not a share of contacts: use a number from 0 to 100");
                inRange = false;
            }

            total += splitPath.Percent;
            CheckReference(splitPath.Next, itemPath + ".next");
        }

        if (inRange && split.Paths.Count > 0 && total != 100)
        {
            var parts = string.Join(" + ", split.Paths.Select(p => p.Percent.ToString(CultureInfo.InvariantCulture)));
            Add(path + ".paths", ValidationCodes.SplitTotal, $"the split percentages add up to {total} ({parts}); they must add up to exactly 100");
        }
    }

    private void CheckTags(TagsStep tags, string path)
    {
        if (tags.Add.Count == 0 && tags.Remove.Count == 0)
        {
            Add(path, ValidationCodes.EmptyTags, "the tags step neither adds nor removes a tag: list tags under \"add\" or \"remove\"");
        }

        for (var i = 0; i < tags.Add.Count; i++)
        {
            CheckNotEmpty(tags.Add[i], JsonPaths.Index(path + ".add", i), "a tag name is empty");
        }

        for (var i = 0; i < tags.Remove.Count; i++)
        {
            CheckNotEmpty(tags.Remove[i], JsonPaths.Index(path + ".remove", i), "a tag name is empty");
        }
    }

    private void CheckSetField(SetFieldStep setField, string path)
    {
        CheckNotEmpty(setField.Field, path + ".field", "the setField step names no field: give the contact field to set, e.g. loyaltyTier");
        if (string.Equals(setField.Field, "marketingConsent", StringComparison.Ordinal)
            && setField.Value is not { ValueKind: JsonValueKind.True or JsonValueKind.False })
        {
            var found = setField.Value is { } v ? v.GetRawText() : "nothing";
            Add(path + ".value", ValidationCodes.InvalidConsentValue, $"marketingConsent is a yes/no field: set it to true (subscribe) or false (unsubscribe), not {found}");
        }
    }

    private void CheckWebhook(WebhookStep webhook, string path)
    {
        if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            Add(path + ".url", ValidationCodes.InvalidUrl, $"\"{webhook.Url}\" is not a full web address: write it with https://, e.g. https://crm.example.com/hooks/journey");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            Add(path + ".url", ValidationCodes.InvalidUrl, $"\"{webhook.Url}\" uses http: contact data must travel encrypted, use https:// (http is allowed only for localhost)");
        }

        if (!HttpMethods.Contains(webhook.Method, StringComparer.Ordinal))
        {
            var upper = webhook.Method.ToUpperInvariant();
            var hint = HttpMethods.Contains(upper, StringComparer.Ordinal) ? $"; write it in capitals: \"{upper}\"" : string.Empty;
            Add(path + ".method", ValidationCodes.InvalidMethod, $"\"{webhook.Method}\" is not a method a webhook can use{hint}. Use one of {string.Join(", ", HttpMethods)}");
        }

        if (webhook.Headers is { } headers)
        {
            foreach (var name in headers.Keys)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c == ':' || c > '~'))
                {
                    Add(JsonPaths.Property(path + ".headers", name), ValidationCodes.InvalidValue, $"\"{name}\" is not a valid HTTP header name: use letters, digits and dashes, e.g. X-Api-Key");
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

        if (!index.ContainsKey(target))
        {
            Add(path, ValidationCodes.DanglingStep, $"step \"{target}\" does not exist{Suggestions.DidYouMean(target, index.Keys)}");
        }
    }

    private void CheckCondition(Condition? condition, string path)
    {
        if (condition is null)
        {
            return;
        }

        var forms = new List<string>();
        if (condition.All is not null)
        {
            forms.Add("all");
        }

        if (condition.Any is not null)
        {
            forms.Add("any");
        }

        if (condition.Not is not null)
        {
            forms.Add("not");
        }

        if (condition.Tag is not null)
        {
            forms.Add("tag");
        }

        if (condition.EmailOpened is not null)
        {
            forms.Add("emailOpened");
        }

        if (condition.EmailClicked is not null)
        {
            forms.Add("emailClicked");
        }

        if (condition.Field is not null)
        {
            forms.Add("field");
        }

        var operators = Operators(condition);
        if (forms.Count == 0)
        {
            Add(path, ValidationCodes.ConditionForm, operators.Count > 0
                ? $"the condition has {Join(operators)} but no \"field\" to test: add e.g. \"field\": \"contact.country\""
                : "the condition is empty: use all / any / not, tag, emailOpened / emailClicked, or field with an operator");
        }
        else if (forms.Count > 1)
        {
            Add(path, ValidationCodes.ConditionForm, $"the condition mixes {Join(forms)}: one object holds one test; combine tests with \"all\" or \"any\"");
        }

        if (condition.Field is not null)
        {
            CheckFieldPath(condition.Field, path + ".field");
            if (operators.Count == 0)
            {
                Add(path, ValidationCodes.ConditionOperator, $"the condition on {condition.Field} has no operator: add one of equals, in, contains, greaterThan, lessThan, exists, before, after");
            }
            else if (operators.Count > 1)
            {
                Add(path, ValidationCodes.ConditionOperator, $"the condition on {condition.Field} has several operators ({Join(operators)}): use one per condition and combine them with \"all\"");
            }

            CheckOperands(condition, path);
        }
        else if (forms.Count > 0 && operators.Count > 0)
        {
            Add(path, ValidationCodes.ConditionOperator, $"{Join(operators)} only work with \"field\": move them into their own condition with a field");
        }

        CheckConditionList(condition.All, path + ".all", "all");
        CheckConditionList(condition.Any, path + ".any", "any");
        CheckCondition(condition.Not, path + ".not");
        CheckNotEmpty(condition.Tag, path + ".tag", "the tag name is empty");
        CheckEmailReference(condition.EmailOpened, path + ".emailOpened", "opened");
        CheckEmailReference(condition.EmailClicked, path + ".emailClicked", "clicked");
    }

    private static string Join(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

    private static List<string> Operators(Condition c)
    {
        var list = new List<string>();
        if (c.EqualTo is not null)
        {
            list.Add("equals");
        }

        if (c.In is not null)
        {
            list.Add("in");
        }

        if (c.Contains is not null)
        {
            list.Add("contains");
        }

        if (c.GreaterThan is not null)
        {
            list.Add("greaterThan");
        }

        if (c.LessThan is not null)
        {
            list.Add("lessThan");
        }

        if (c.Exists is not null)
        {
            list.Add("exists");
        }

        if (c.Before is not null)
        {
            list.Add("before");
        }

        if (c.After is not null)
        {
            list.Add("after");
        }

        return list;
    }

    private void CheckOperands(Condition c, string path)
    {
        CheckComparable(c.GreaterThan, path + ".greaterThan", "greaterThan");
        CheckComparable(c.LessThan, path + ".lessThan", "lessThan");
        CheckDateOperand(c.Before, path + ".before", "before");
        CheckDateOperand(c.After, path + ".after", "after");
        if (c.In is { Count: 0 })
        {
            Add(path + ".in", ValidationCodes.InvalidValue, "\"in\" has an empty list, so the condition could never hold: list the values to match");
        }
    }

    private void CheckComparable(JsonElement? value, string path, string name)
    {
        if (value is { } v && v.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            Add(path, ValidationCodes.InvalidValue, $"{name} compares with a number or a date, not {v.ValueKind.ToString().ToLowerInvariant()} {Shorten(v.GetRawText())}");
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private void CheckDateOperand(string? value, string path, string name)
    {
        if (value is null)
        {
            return;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            || IsoDuration.TryParse(value, out _, out _))
        {
            return;
        }

        Add(path, ValidationCodes.InvalidDate, $"\"{value}\" is neither a date nor a duration: {name} takes an ISO date such as 2025-01-31 (or 2025-01-31T09:00:00Z), or a duration from now such as -P30D");
    }

    private void CheckConditionList(IReadOnlyList<Condition>? list, string path, string name)
    {
        if (list is null)
        {
            return;
        }

        if (list.Count == 0)
        {
            Add(path, ValidationCodes.ConditionForm, $"\"{name}\" has no conditions in it: list at least one");
        }

        for (var i = 0; i < list.Count; i++)
        {
            CheckCondition(list[i], JsonPaths.Index(path, i));
        }
    }

    private void CheckEmailReference(string? stepId, string path, string verb)
    {
        if (stepId is null)
        {
            return;
        }

        if (!index.TryGetValue(stepId, out var i))
        {
            Add(path, ValidationCodes.DanglingStep, $"step \"{stepId}\" does not exist{Suggestions.DidYouMean(stepId, EmailStepIds())}");
        }
        else if (journey.Steps[i] is not EmailStep)
        {
            var emails = EmailStepIds().ToList();
            var hint = emails.Count > 0 ? $"; the email steps are {Join(emails)}" : string.Empty;
            Add(path, ValidationCodes.NotAnEmailStep, $"step \"{stepId}\" is a {journey.Steps[i].Kind} step, and only an email can be {verb}{hint}");
        }
    }

    private string[] EventStepIds => eventStepIds ??= journey.Steps.Where(s => s is WaitForEventStep or WebhookStep).Select(s => s.Id).ToArray();

    private IEnumerable<string> EmailStepIds() => journey.Steps.OfType<EmailStep>().Select(s => s.Id);

    private void CheckFieldPath(string field, string path)
    {
        var parts = field.Split('.');
        var root = parts[0];
        if (!FieldRoots.Contains(root, StringComparer.Ordinal))
        {
            var suggestion = Suggestions.Closest(root, FieldRoots);
            var hint = suggestion is not null
                ? $"did you mean \"{suggestion}{field[root.Length..]}\"?"
                : $"a contact field is written contact.{field}";
            Add(path, ValidationCodes.InvalidFieldPath, $"\"{field}\" must start with contact., trigger., event. or events.<stepId>.; {hint}");
            return;
        }

        if (parts.Length < 2 || parts.Skip(1).Any(string.IsNullOrWhiteSpace))
        {
            Add(path, ValidationCodes.InvalidFieldPath, $"\"{field}\" names no field: write e.g. contact.country, trigger.total, event.rating or events.wait-order.total");
            return;
        }

        if (root == "events")
        {
            var stepId = parts[1];
            var eventSteps = EventStepIds;
            if (!index.TryGetValue(stepId, out var i))
            {
                Add(path, ValidationCodes.DanglingStep, $"step \"{stepId}\" in \"{field}\" does not exist{Suggestions.DidYouMean(stepId, eventSteps)}");
            }
            else if (journey.Steps[i] is not (WaitForEventStep or WebhookStep))
            {
                var hint = eventSteps.Length > 0 ? $"; those here are {Join(eventSteps)}" : string.Empty;
                Add(path, ValidationCodes.NotAnEventStep, $"\"{field}\" reads the event received by step \"{stepId}\", a {journey.Steps[i].Kind} step; only waitForEvent and webhook steps receive data{hint}");
            }
        }
    }

    /// <summary>The step graph: reachability from the first step, and cycles that never pause.</summary>
    private void CheckGraph()
    {
        var steps = journey.Steps;
        var n = steps.Count;
        var edges = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            edges[i] = Successors(i);
        }

        // Reachability from the first step.
        var reached = new bool[n];
        var stack = new Stack<int>();
        stack.Push(0);
        reached[0] = true;
        while (stack.Count > 0)
        {
            foreach (var next in edges[stack.Pop()])
            {
                if (!reached[next])
                {
                    reached[next] = true;
                    stack.Push(next);
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (!reached[i] && index.TryGetValue(steps[i].Id, out var first) && first == i)
            {
                Add(StepPath(i), ValidationCodes.UnreachableStep, $"step \"{steps[i].Id}\" is never reached: no path from the first step leads to it. Point a next, then/else, onEvent/onTimeout or split path at it, or remove it");
            }
        }

        // Cycles among steps that do not wait: a run would go round them without pause.
        foreach (var component in StronglyConnected(edges, i => steps[i] is not (WaitStep or WaitForEventStep)))
        {
            var names = component.OrderBy(i => i).Select(i => $"\"{steps[i].Id}\"");
            var first = component.Min();
            Add(StepPath(first), ValidationCodes.LoopWithoutWait, $"steps {string.Join(", ", names)} form a loop with no wait in it: a contact would go round it without pause (and could get an email on every turn). Add a wait or waitForEvent step to the loop, or end it");
        }
    }

    private List<int> Successors(int i)
    {
        var step = journey.Steps[i];
        var result = new List<int>(2);
        if (step is ExitStep)
        {
            return result;
        }

        var fallThrough = i + 1 < journey.Steps.Count ? i + 1 : -1;
        var next = step.Next is null ? fallThrough : Resolve(step.Next);
        void AddTarget(string? id)
        {
            var target = id is null ? next : Resolve(id);
            if (target >= 0 && !result.Contains(target))
            {
                result.Add(target);
            }
        }

        switch (step)
        {
            case BranchStep branch:
                AddTarget(branch.Then);
                AddTarget(branch.Else);
                break;
            case WaitForEventStep waitForEvent:
                AddTarget(waitForEvent.OnEvent);
                AddTarget(waitForEvent.OnTimeout);
                break;
            case SplitStep split:
                foreach (var path in split.Paths)
                {
                    AddTarget(path.Next);
                }

                break;
            default:
                AddTarget(null);
                break;
        }

        return result;
    }

    /// <summary>
    /// The step a reference leads to in the graph. A dangling reference (already reported) counts as the step it was
    /// most likely meant to name, so one typo does not also report every step after it as unreachable.
    /// </summary>
    private int Resolve(string id) =>
        index.TryGetValue(id, out var i) ? i
        : Suggestions.Closest(id, index.Keys) is { } meant ? index[meant]
        : -1;

    /// <summary>
    /// Tarjan's algorithm (iterative, so a long journey cannot overflow the stack) over the nodes
    /// <paramref name="include"/> admits; yields the components that contain a cycle (two or more nodes, or a self-loop).
    /// </summary>
    private static List<List<int>> StronglyConnected(List<int>[] edges, Func<int, bool> include)
    {
        var n = edges.Length;
        var indexOf = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        Array.Fill(indexOf, -1);
        var counter = 0;
        var stack = new Stack<int>();
        var result = new List<List<int>>();
        var work = new Stack<(int Node, int Edge)>();
        for (var start = 0; start < n; start++)
        {
            if (!include(start) || indexOf[start] >= 0)
            {
                continue;
            }

            work.Push((start, 0));
            indexOf[start] = low[start] = counter++;
            stack.Push(start);
            onStack[start] = true;
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                if (edge < edges[node].Count)
                {
                    work.Push((node, edge + 1));
                    var next = edges[node][edge];
                    if (!include(next))
                    {
                        continue;
                    }

                    if (indexOf[next] < 0)
                    {
                        indexOf[next] = low[next] = counter++;
                        stack.Push(next);
                        onStack[next] = true;
                        work.Push((next, 0));
                    }
                    else if (onStack[next])
                    {
                        low[node] = Math.Min(low[node], indexOf[next]);
                    }

                    continue;
                }

                if (low[node] == indexOf[node])
                {
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    }
                    while (member != node);

                    if (component.Count > 1 || edges[node].Contains(node))
                    {
                        result.Add(component);
                    }
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }

        return result;
    }

    private void Add(string path, string code, string message) => errors.Add(new ValidationError(path, code, message));
}

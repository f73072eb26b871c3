using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The semantic checks of conditions (trigger and waitForEvent filters, exit rules, goals, branches): one form per
/// condition object, one operator per field test, operands of the right kind, field paths that name something, and
/// emailOpened / emailClicked pointing at email steps.
/// </summary>
internal sealed class ConditionChecks(SemanticContext context)
{
    private static readonly string[] FieldRoots = ["contact", "trigger", "event", "events", "run"];

    private static readonly string[] RunFields = ["key"];

    /// <summary>Checks a condition; <paramref name="inTrigger"/> for the trigger filter, which runs before any run
    /// exists (so <c>run.*</c> has nothing to read).</summary>
    public void CheckCondition(Condition? condition, string path, bool inTrigger = false)
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
            context.Add(path, ValidationCodes.ConditionForm, operators.Count > 0
                ? $"the condition has {SemanticContext.Join(operators)} but no \"field\" to test: add e.g. \"field\": \"contact.country\""
                : "the condition is empty: use all / any / not, tag, emailOpened / emailClicked, or field with an operator");
        }
        else if (forms.Count > 1)
        {
            context.Add(path, ValidationCodes.ConditionForm, $"the condition mixes {SemanticContext.Join(forms)}: one object holds one test; combine tests with \"all\" or \"any\"");
        }

        if (condition.Field is not null)
        {
            CheckFieldPath(condition.Field, path + ".field", inTrigger);
            if (condition.EqualsField is { } other)
            {
                CheckFieldPath(other, path + ".equalsField", inTrigger);
            }

            if (operators.Count == 0)
            {
                context.Add(path, ValidationCodes.ConditionOperator, $"the condition on {condition.Field} has no operator: add one of equals, equalsField, in, contains, greaterThan, lessThan, exists, before, after");
            }
            else if (operators.Count > 1)
            {
                context.Add(path, ValidationCodes.ConditionOperator, $"the condition on {condition.Field} has several operators ({SemanticContext.Join(operators)}): use one per condition and combine them with \"all\"");
            }

            CheckOperands(condition, path);
        }
        else if (forms.Count > 0 && operators.Count > 0)
        {
            context.Add(path, ValidationCodes.ConditionOperator, $"{SemanticContext.Join(operators)} only work with \"field\": move them into their own condition with a field");
        }

        CheckConditionList(condition.All, path + ".all", "all", inTrigger);
        CheckConditionList(condition.Any, path + ".any", "any", inTrigger);
        CheckCondition(condition.Not, path + ".not", inTrigger);
        context.CheckNotEmpty(condition.Tag, path + ".tag", "the tag name is empty");
        CheckEmailReference(condition.EmailOpened, path + ".emailOpened", "opened");
        CheckEmailReference(condition.EmailClicked, path + ".emailClicked", "clicked");
    }

    private static List<string> Operators(Condition c)
    {
        var list = new List<string>();
        if (c.EqualTo is not null)
        {
            list.Add("equals");
        }

        if (c.EqualsField is not null)
        {
            list.Add("equalsField");
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
            context.Add(path + ".in", ValidationCodes.InvalidValue, "\"in\" has an empty list, so the condition could never hold: list the values to match");
        }
    }

    private void CheckComparable(JsonElement? value, string path, string name)
    {
        if (value is { } v && v.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            context.Add(path, ValidationCodes.InvalidValue, $"{name} compares with a number or a date, not {v.ValueKind.ToString().ToLowerInvariant()} {Shorten(v.GetRawText())}");
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

        context.Add(path, ValidationCodes.InvalidDate, $"\"{value}\" is neither a date nor a duration: {name} takes an ISO date such as 2025-01-31 (or 2025-01-31T09:00:00Z), or a duration from now such as -P30D");
    }

    private void CheckConditionList(IReadOnlyList<Condition>? list, string path, string name, bool inTrigger)
    {
        if (list is null)
        {
            return;
        }

        if (list.Count == 0)
        {
            context.Add(path, ValidationCodes.ConditionForm, $"\"{name}\" has no conditions in it: list at least one");
        }

        for (var i = 0; i < list.Count; i++)
        {
            CheckCondition(list[i], JsonPaths.Index(path, i), inTrigger);
        }
    }

    private void CheckEmailReference(string? stepId, string path, string verb)
    {
        if (stepId is null)
        {
            return;
        }

        if (!context.Index.TryGetValue(stepId, out var i))
        {
            context.Add(path, ValidationCodes.DanglingStep, $"step \"{stepId}\" does not exist{Suggestions.DidYouMean(stepId, context.EmailStepIds())}");
        }
        else if (context.Journey.Steps[i] is not EmailStep)
        {
            var emails = context.EmailStepIds().ToList();
            var hint = emails.Count > 0 ? $"; the email steps are {SemanticContext.Join(emails)}" : string.Empty;
            context.Add(path, ValidationCodes.NotAnEmailStep, $"step \"{stepId}\" is a {context.Journey.Steps[i].Kind} step, and only an email can be {verb}{hint}");
        }
    }

    public void CheckFieldPath(string field, string path, bool inTrigger = false)
    {
        var parts = field.Split('.');
        var root = parts[0];
        if (!FieldRoots.Contains(root, StringComparer.Ordinal))
        {
            var suggestion = Suggestions.Closest(root, FieldRoots);
            var hint = suggestion is not null
                ? $"did you mean \"{suggestion}{field[root.Length..]}\"?"
                : $"a contact field is written contact.{field}";
            context.Add(path, ValidationCodes.InvalidFieldPath, $"\"{field}\" must start with contact., trigger., event., events.<stepId>. or run.; {hint}");
            return;
        }

        if (parts.Length < 2 || parts.Skip(1).Any(string.IsNullOrWhiteSpace))
        {
            context.Add(path, ValidationCodes.InvalidFieldPath, $"\"{field}\" names no field: write e.g. contact.country, trigger.total, event.rating, events.wait-order.total or run.key");
            return;
        }

        if (root == "run")
        {
            CheckRunPath(field, parts, path, inTrigger);
            return;
        }

        if (root == "events")
        {
            var stepId = parts[1];
            var eventSteps = context.EventStepIds;
            if (!context.Index.TryGetValue(stepId, out var i))
            {
                context.Add(path, ValidationCodes.DanglingStep, $"step \"{stepId}\" in \"{field}\" does not exist{Suggestions.DidYouMean(stepId, eventSteps)}");
            }
            else if (context.Journey.Steps[i] is not (WaitForEventStep or WebhookStep))
            {
                var hint = eventSteps.Length > 0 ? $"; those here are {SemanticContext.Join(eventSteps)}" : string.Empty;
                context.Add(path, ValidationCodes.NotAnEventStep, $"\"{field}\" reads the event received by step \"{stepId}\", a {context.Journey.Steps[i].Kind} step; only waitForEvent and webhook steps receive data{hint}");
            }
        }
    }

    /// <summary><c>run.key</c> exists only in a run of a keyed journey: not in the trigger filter (no run yet) and
    /// not in a journey whose trigger has no key.</summary>
    private void CheckRunPath(string field, string[] parts, string path, bool inTrigger)
    {
        if (parts.Length != 2 || !RunFields.Contains(parts[1], StringComparer.Ordinal))
        {
            var hint = parts.Length == 2 && Suggestions.Closest(parts[1], RunFields) is { } s ? $"did you mean \"run.{s}\"? " : string.Empty;
            context.Add(path, ValidationCodes.InvalidFieldPath, $"\"{field}\" is not a value of the run; {hint}a run has run.key, the key of a keyed journey's run (e.g. its cart id)");
            return;
        }

        if (inTrigger)
        {
            context.Add(path, ValidationCodes.NoRunKey, $"the trigger filter decides whether a run starts, so there is no run yet and \"{field}\" has no value: compare with trigger.<field> instead");
        }
        else if (string.IsNullOrWhiteSpace(context.Journey.Trigger.Key))
        {
            context.Add(path, ValidationCodes.NoRunKey, $"\"{field}\" is the run's key, but the trigger has no \"key\", so runs of this journey have none: add e.g. \"key\": \"cartId\" to the trigger, or compare with trigger.<field>");
        }
    }
}

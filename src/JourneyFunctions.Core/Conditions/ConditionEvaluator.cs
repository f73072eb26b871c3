using System.Globalization;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Conditions;

/// <summary>
/// Evaluates journey conditions. Pure: the answer depends only on the condition, the scope and <c>now</c> (for
/// relative dates such as <c>-P30D</c>). A path that does not resolve makes every operator false except
/// <c>exists: false</c>, so a missing field never sends a contact down the "yes" path by accident. A field test with
/// several operators holds when all of them hold.
/// </summary>
public static class ConditionEvaluator
{
    /// <summary>True when the condition holds for the scope at <paramref name="now"/>.</summary>
    public static bool Evaluate(Condition condition, ConditionScope scope, DateTimeOffset now)
    {
        // Indexed loops: foreach over the IReadOnlyList would allocate an enumerator on every evaluation.
        if (condition.All is { } all)
        {
            for (var i = 0; i < all.Count; i++)
            {
                if (!Evaluate(all[i], scope, now))
                {
                    return false;
                }
            }

            return true;
        }

        if (condition.Any is { } any)
        {
            for (var i = 0; i < any.Count; i++)
            {
                if (Evaluate(any[i], scope, now))
                {
                    return true;
                }
            }

            return false;
        }

        if (condition.Not is { } not)
        {
            return !Evaluate(not, scope, now);
        }

        if (condition.Tag is { } tag)
        {
            return HasTag(scope.Contact.Tags, tag);
        }

        if (condition.EmailOpened is { } opened)
        {
            return Contains(scope.Opened, opened);
        }

        if (condition.EmailClicked is { } clicked)
        {
            return Contains(scope.Clicked, clicked);
        }

        if (condition.Field is { } field)
        {
            return EvaluateField(condition, field, scope, now);
        }

        // An empty condition is rejected by validation; at run time it holds for nobody.
        return false;
    }

    /// <summary>
    /// Resolves a path: <c>contact.id</c>, <c>contact.email</c>, <c>contact.timeZone</c>, <c>contact.&lt;field&gt;[.nested]</c>
    /// (also <c>contact.tags</c>, <c>contact.createdAt</c>, <c>contact.lastActivityAt</c> when no field has that name),
    /// <c>trigger[.path]</c>, <c>event[.path]</c>, <c>events.&lt;stepId&gt;[.path]</c>, <c>run.key</c>. False when any part is missing.
    /// </summary>
    public static bool TryResolve(string path, ConditionScope scope, out JsonElement value)
    {
        value = default;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var span = path.AsSpan();
        var dot = span.IndexOf('.');
        var root = dot < 0 ? span : span[..dot];
        var rest = dot < 0 ? [] : span[(dot + 1)..];
        if (root.SequenceEqual("trigger"))
        {
            return scope.Trigger is { } trigger && JsonValues.TryNavigate(trigger, rest, out value);
        }

        if (root.SequenceEqual("event"))
        {
            return scope.Event is { } ev && JsonValues.TryNavigate(ev, rest, out value);
        }

        if (root.SequenceEqual("events"))
        {
            var stepDot = rest.IndexOf('.');
            var stepId = (stepDot < 0 ? rest : rest[..stepDot]).ToString();
            var below = stepDot < 0 ? [] : rest[(stepDot + 1)..];
            return scope.Events.TryGetValue(stepId, out var data) && JsonValues.TryNavigate(data, below, out value);
        }

        if (root.SequenceEqual("contact"))
        {
            return TryResolveContact(rest, scope, out value);
        }

        if (root.SequenceEqual("run"))
        {
            return rest.SequenceEqual("key") && FromString(scope.RunKey, out value);
        }

        return false;
    }

    /// <summary>The condition in words for the timeline, e.g. <c>contact has tag vip</c>.</summary>
    public static string Describe(Condition condition)
    {
        var sb = new StringBuilder();
        Describe(condition, sb);
        return sb.ToString();
    }

    private static void Describe(Condition c, StringBuilder sb)
    {
        if (c.All is { } all)
        {
            DescribeList("all of", all, sb);
        }
        else if (c.Any is { } any)
        {
            DescribeList("any of", any, sb);
        }
        else if (c.Not is { } not)
        {
            sb.Append("not (");
            Describe(not, sb);
            sb.Append(')');
        }
        else if (c.Tag is { } tag)
        {
            sb.Append("contact has tag ").Append(tag);
        }
        else if (c.EmailOpened is { } opened)
        {
            sb.Append("email ").Append(opened).Append(" was opened");
        }
        else if (c.EmailClicked is { } clicked)
        {
            sb.Append("email ").Append(clicked).Append(" was clicked");
        }
        else if (c.Field is { } field)
        {
            DescribeField(c, field, sb);
        }
        else
        {
            sb.Append("an empty condition (never true)");
        }
    }

    private static void DescribeList(string head, IReadOnlyList<Condition> items, StringBuilder sb)
    {
        sb.Append(head).Append(" (");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append("; ");
            }

            Describe(items[i], sb);
        }

        sb.Append(')');
    }

    private static void DescribeField(Condition c, string field, StringBuilder sb)
    {
        var parts = 0;
        void Part(string text)
        {
            if (parts++ > 0)
            {
                sb.Append(" and");
            }

            sb.Append(' ').Append(text);
        }

        sb.Append(field);
        if (c.EqualTo is { } eq)
        {
            Part("equals " + JsonValues.Display(eq));
        }

        if (c.EqualsField is { } other)
        {
            Part("equals " + other);
        }

        if (c.In is { } @in)
        {
            Part("is one of " + string.Join(", ", @in.Select(JsonValues.Display)));
        }

        if (c.Contains is { } contains)
        {
            Part("contains " + JsonValues.Display(contains));
        }

        if (c.GreaterThan is { } gt)
        {
            Part("is greater than " + JsonValues.Display(gt));
        }

        if (c.LessThan is { } lt)
        {
            Part("is less than " + JsonValues.Display(lt));
        }

        if (c.Exists is { } exists)
        {
            Part(exists ? "is set" : "is not set");
        }

        if (c.Before is { } before)
        {
            Part("is before " + DescribeDateOperand(before));
        }

        if (c.After is { } after)
        {
            Part("is after " + DescribeDateOperand(after));
        }

        if (parts == 0)
        {
            Part("is set");
        }
    }

    private static string DescribeDateOperand(string operand)
    {
        if (IsDurationOperand(operand) && IsoDuration.TryParse(operand, out var d, out _))
        {
            var length = Engine.TimeText.Duration(d with { Negative = false });
            return d.Negative ? $"{length} ago" : $"{length} from now";
        }

        return operand;
    }

    private static bool EvaluateField(Condition c, string field, ConditionScope scope, DateTimeOffset now)
    {
        var found = TryResolve(field, scope, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
        if (c.Exists is { } exists && exists != found)
        {
            return false;
        }

        var hasOperator = c.EqualTo.HasValue || c.EqualsField is not null || c.In is not null || c.Contains.HasValue || c.GreaterThan.HasValue
            || c.LessThan.HasValue || c.Before is not null || c.After is not null;
        if (!hasOperator)
        {
            // exists alone (already checked) or a bare field, which reads as "is set".
            return c.Exists.HasValue || found;
        }

        if (!found)
        {
            return false;
        }

        if (c.EqualTo is { } eq && !JsonValues.LooseEquals(value, eq))
        {
            return false;
        }

        // A path operand that does not resolve equals nothing, not even another missing value.
        if (c.EqualsField is { } other
            && !(TryResolve(other, scope, out var otherValue) && otherValue.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                && JsonValues.LooseEquals(value, otherValue)))
        {
            return false;
        }

        if (c.In is { } @in && !AnyEquals(value, @in))
        {
            return false;
        }

        if (c.Contains is { } contains && !ContainsValue(value, contains))
        {
            return false;
        }

        if (c.GreaterThan is { } gt && !(JsonValues.Compare(value, gt, scope.TimeZone) > 0))
        {
            return false;
        }

        if (c.LessThan is { } lt && !(JsonValues.Compare(value, lt, scope.TimeZone) < 0))
        {
            return false;
        }

        if (c.Before is not null || c.After is not null)
        {
            if (!JsonValues.TryGetInstant(value, scope.TimeZone, out var instant))
            {
                return false;
            }

            if (c.Before is { } before && !(TryDateOperand(before, scope.TimeZone, now, out var b) && instant < b))
            {
                return false;
            }

            if (c.After is { } after && !(TryDateOperand(after, scope.TimeZone, now, out var a) && instant > a))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AnyEquals(JsonElement value, IReadOnlyList<JsonElement> candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (JsonValues.LooseEquals(value, candidates[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsValue(JsonElement value, JsonElement operand)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (JsonValues.LooseEquals(item, operand))
                {
                    return true;
                }
            }

            return false;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var needle = operand.ValueKind == JsonValueKind.String ? operand.GetString() : operand.GetRawText();
            return needle is not null && (value.GetString() ?? string.Empty).Contains(needle, StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }

    private static bool IsDurationOperand(string operand)
    {
        var s = operand.AsSpan().TrimStart();
        if (!s.IsEmpty && s[0] is '-' or '+')
        {
            s = s[1..];
        }

        return !s.IsEmpty && s[0] is 'P' or 'p';
    }

    private static bool TryDateOperand(string operand, TimeZoneInfo zone, DateTimeOffset now, out DateTimeOffset instant)
    {
        if (IsDurationOperand(operand))
        {
            if (IsoDuration.TryParse(operand, out var duration, out _))
            {
                instant = duration.AddTo(now, zone);
                return true;
            }

            instant = default;
            return false;
        }

        return JsonValues.TryParseInstant(operand, zone, out instant);
    }

    private static bool TryResolveContact(ReadOnlySpan<char> rest, ConditionScope scope, out JsonElement value)
    {
        value = default;
        var contact = scope.Contact;
        var dot = rest.IndexOf('.');
        var name = dot < 0 ? rest : rest[..dot];
        var below = dot < 0 ? [] : rest[(dot + 1)..];
        if (name.IsEmpty)
        {
            return false;
        }

        if (below.IsEmpty)
        {
            if (name.Equals("id", StringComparison.OrdinalIgnoreCase))
            {
                return FromString(contact.Id, out value);
            }

            if (name.Equals("email", StringComparison.OrdinalIgnoreCase))
            {
                return FromString(contact.Email, out value);
            }

            if (name.Equals("timeZone", StringComparison.OrdinalIgnoreCase))
            {
                return FromString(contact.TimeZone, out value);
            }
        }

        var key = name.ToString();
        if (contact.Fields.TryGetValue(key, out var fieldValue) || TryGetFieldIgnoreCase(contact.Fields, key, out fieldValue))
        {
            return JsonValues.TryNavigate(fieldValue, below, out value);
        }

        if (!below.IsEmpty)
        {
            return false;
        }

        if (name.Equals("tags", StringComparison.OrdinalIgnoreCase))
        {
            value = JsonSerializer.SerializeToElement(contact.Tags.Order(StringComparer.OrdinalIgnoreCase).ToArray());
            return true;
        }

        if (name.Equals("createdAt", StringComparison.OrdinalIgnoreCase))
        {
            return FromString(contact.CreatedAt.ToString("O", CultureInfo.InvariantCulture), out value);
        }

        if (name.Equals("lastActivityAt", StringComparison.OrdinalIgnoreCase))
        {
            return FromString(contact.LastActivityAt?.ToString("O", CultureInfo.InvariantCulture), out value);
        }

        return false;
    }

    private static bool TryGetFieldIgnoreCase(IReadOnlyDictionary<string, JsonElement> fields, string key, out JsonElement value)
    {
        foreach (var pair in fields)
        {
            if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                value = pair.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool FromString(string? text, out JsonElement value)
    {
        if (text is null)
        {
            value = default;
            return false;
        }

        value = JsonSerializer.SerializeToElement(text);
        return true;
    }

    private static bool HasTag(IReadOnlySet<string> tags, string tag)
    {
        if (tags.Contains(tag))
        {
            return true;
        }

        // The set may have been built with an ordinal comparer (e.g. after deserialisation): tags are case-insensitive.
        foreach (var t in tags)
        {
            if (string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], item, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

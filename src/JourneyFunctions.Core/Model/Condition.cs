using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Core.Model;

/// <summary>
/// A condition over the contact, the trigger event and waited events. Exactly one form per object:
/// a combinator (<see cref="All"/>, <see cref="Any"/>, <see cref="Not"/>), a tag test (<see cref="Tag"/>), an engagement
/// test (<see cref="EmailOpened"/>, <see cref="EmailClicked"/>), or a field test (<see cref="Field"/> with one operator).
/// Field paths: <c>contact.&lt;field&gt;</c> (also contact.email, contact.timeZone), <c>trigger.&lt;path&gt;</c>,
/// <c>event.&lt;path&gt;</c> (the event being tested or the last waited event), <c>events.&lt;stepId&gt;.&lt;path&gt;</c>,
/// <c>run.key</c> (the key of a keyed journey's run, e.g. its cart id). <see cref="EqualsField"/> compares with another
/// of these paths instead of a literal, so a condition can say "this run's cart": <c>event.cartId</c> equalsField
/// <c>run.key</c>.
/// </summary>
[Description("A condition. Use one form: all / any / not, tag, emailOpened / emailClicked, or field with one operator.")]
public sealed record Condition
{
    [Description("True when every condition holds.")]
    public IReadOnlyList<Condition>? All { get; init; }

    [Description("True when at least one condition holds.")]
    public IReadOnlyList<Condition>? Any { get; init; }

    [Description("True when the condition does not hold.")]
    public Condition? Not { get; init; }

    [Description("True when the contact has this tag.")]
    public string? Tag { get; init; }

    [Description("True when the contact opened the email sent by this step id in this run.")]
    public string? EmailOpened { get; init; }

    [Description("True when the contact clicked a link in the email sent by this step id in this run.")]
    public string? EmailClicked { get; init; }

    [Description("Path of the value to test, e.g. contact.country, trigger.total, event.rating, events.wait-order.total, run.key.")]
    public string? Field { get; init; }

    [JsonPropertyName("equals")]
    [Description("The value equals this (strings compare case-insensitively).")]
    public JsonElement? EqualTo { get; init; }

    [Description("The value equals the value at this other path (compared like equals), e.g. run.key (this run's cart), trigger.cartId or events.wait-order.orderId. False when either is missing.")]
    public string? EqualsField { get; init; }

    [Description("The value is one of these.")]
    public IReadOnlyList<JsonElement>? In { get; init; }

    [Description("A string value contains this text, or an array value contains this element.")]
    public JsonElement? Contains { get; init; }

    [Description("A number (or ISO date) value is greater than this.")]
    public JsonElement? GreaterThan { get; init; }

    [Description("A number (or ISO date) value is less than this.")]
    public JsonElement? LessThan { get; init; }

    [Description("true: the field is present and not null; false: it is absent or null.")]
    public bool? Exists { get; init; }

    [Description("A date value is before this: an ISO date/time, or a duration relative to now such as -P30D.")]
    public string? Before { get; init; }

    [Description("A date value is after this: an ISO date/time, or a duration relative to now such as -P30D.")]
    public string? After { get; init; }
}

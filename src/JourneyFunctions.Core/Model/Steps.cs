using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Core.Model;

/// <summary>
/// One step of a journey. The <c>type</c> discriminator strings are a stored contract. A step runs the next one in
/// the list unless <see cref="Next"/> names another step by id.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(EmailStep), "email")]
[JsonDerivedType(typeof(WaitStep), "wait")]
[JsonDerivedType(typeof(WaitForEventStep), "waitForEvent")]
[JsonDerivedType(typeof(BranchStep), "branch")]
[JsonDerivedType(typeof(SplitStep), "split")]
[JsonDerivedType(typeof(TagsStep), "tags")]
[JsonDerivedType(typeof(SetFieldStep), "setField")]
[JsonDerivedType(typeof(WebhookStep), "webhook")]
[JsonDerivedType(typeof(ExitStep), "exit")]
public abstract record Step
{
    [Description("Stable id of the step, unique in the journey. Stats, the map and runs in flight key on it: do not rename a live step.")]
    public required string Id { get; init; }

    [Description("Id of the step to run after this one. Default: the next step in the list (or the end of the journey).")]
    public string? Next { get; init; }

    [Description("A short label for the journey map.")]
    public string? Label { get; init; }

    /// <summary>The step kind as written in JSON (<c>email</c>, <c>wait</c> ...).</summary>
    [JsonIgnore]
    public abstract string Kind { get; }
}

[Description("Send an email rendered from a template.")]
public sealed record EmailStep : Step
{
    [Description("Template name: a folder under templates/ with subject.liquid, body.html.liquid and optionally body.txt.liquid.")]
    public required string Template { get; init; }

    [Description("Send even outside the journey's send window (e.g. a receipt). Default false.")]
    public bool IgnoreSendWindow { get; init; }

    /// <inheritdoc />
    public override string Kind => "email";
}

/// <summary>
/// Waits for a duration, until a time of day (optionally on given weekdays) in the contact's zone, or relative to a
/// date field. Exactly one of <see cref="Duration"/>, <see cref="Until"/>, <see cref="RelativeTo"/>.
/// </summary>
[Description("Pause the run: for a duration, until a time of day in the contact's zone, or relative to a date field.")]
public sealed record WaitStep : Step
{
    [Description("ISO 8601 duration, e.g. PT1H, P3D, P1W. With relativeTo: the fallback when the field is missing.")]
    public string? Duration { get; init; }

    [Description("Wait until the next time of day (and weekday) in the contact's time zone.")]
    public TimeOfDayTarget? Until { get; init; }

    [Description("A date field to wait for, e.g. trigger.deliveredAt or contact.birthday; see offset.")]
    public string? RelativeTo { get; init; }

    [Description("ISO 8601 duration added to the relativeTo date, may be negative (-P1D). Default: none.")]
    public string? Offset { get; init; }

    /// <inheritdoc />
    public override string Kind => "wait";
}

[Description("A time of day, optionally restricted to weekdays, in the contact's time zone.")]
public sealed record TimeOfDayTarget
{
    [Description("Time of day HH:mm (24 h), e.g. 09:00.")]
    public required string Time { get; init; }

    [Description("Weekdays allowed; default any day.")]
    public IReadOnlyList<Weekday>? Days { get; init; }
}

[Description("Wait for the contact to do something, up to a timeout. The event's data is available to later steps as event.* and events.<stepId>.*.")]
public sealed record WaitForEventStep : Step
{
    [Description("Event name to wait for, e.g. order.placed or email.opened.")]
    public required string Event { get; init; }

    [Description("Only events matching this condition count (fields of the incoming event are under event.*).")]
    public Condition? Filter { get; init; }

    [Description("Keyed journeys: an event that carries the trigger's key field wakes only the run with that key. false: it wakes every run of the contact waiting here. Default true; no effect without a trigger key.")]
    public bool MatchKey { get; init; } = true;

    [Description("ISO 8601 duration to wait before giving up, e.g. P1D.")]
    public required string Timeout { get; init; }

    [Description("Step to go to when the event arrives. Default: the next step.")]
    public string? OnEvent { get; init; }

    [Description("Step to go to on timeout. Default: the next step.")]
    public string? OnTimeout { get; init; }

    /// <inheritdoc />
    public override string Kind => "waitForEvent";
}

[Description("Go one way or another depending on a condition.")]
public sealed record BranchStep : Step
{
    [JsonPropertyName("if")]
    [Description("The condition: tags, contact fields, trigger or waited event data, email engagement.")]
    public required Condition If { get; init; }

    [Description("Step when the condition holds. Default: the next step.")]
    public string? Then { get; init; }

    [Description("Step when it does not. Default: the next step.")]
    public string? Else { get; init; }

    /// <inheritdoc />
    public override string Kind => "branch";
}

[Description("Send contacts down paths by percentage (A/B tests, holdouts). A contact always gets the same path.")]
public sealed record SplitStep : Step
{
    [Description("The paths; percentages must add up to 100.")]
    public required IReadOnlyList<SplitPath> Paths { get; init; }

    /// <inheritdoc />
    public override string Kind => "split";
}

[Description("One path of a split.")]
public sealed record SplitPath
{
    [Description("Share of contacts, 0 to 100.")]
    public required int Percent { get; init; }

    [Description("Step this path goes to. Default: the next step after the split.")]
    public string? Next { get; init; }

    [Description("Name of the path in reports, e.g. A or holdout.")]
    public string? Label { get; init; }
}

[Description("Add or remove tags on the contact.")]
public sealed record TagsStep : Step
{
    [Description("Tags to add.")]
    public IReadOnlyList<string> Add { get; init; } = [];

    [Description("Tags to remove.")]
    public IReadOnlyList<string> Remove { get; init; } = [];

    /// <inheritdoc />
    public override string Kind => "tags";
}

[Description("Set a field on the contact. The reserved field marketingConsent (true/false) subscribes or unsubscribes the contact from marketing.")]
public sealed record SetFieldStep : Step
{
    [Description("Contact field name, e.g. lastWinbackAt or loyaltyTier.")]
    public required string Field { get; init; }

    [Description("The JSON value to set; a string may use Liquid, e.g. \"{{ now }}\".")]
    public JsonElement? Value { get; init; }

    /// <inheritdoc />
    public override string Kind => "setField";
}

[Description("Call an HTTPS endpoint with the contact and run data (e.g. a CRM or a coupon service).")]
public sealed record WebhookStep : Step
{
    [Description("Absolute https URL (http only for localhost).")]
    public required string Url { get; init; }

    [Description("HTTP method. Default POST.")]
    public string Method { get; init; } = "POST";

    [Description("Extra request headers. A credential (Authorization, X-Api-Key ...) is referenced by name, never written here: \"Bearer {{secret:crm-token}}\" takes Webhooks:Secrets:crm-token from the configuration at call time.")]
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    [Description("JSON body; default: { contact, journeyId, stepId, runId, trigger }.")]
    public JsonElement? Body { get; init; }

    /// <inheritdoc />
    public override string Kind => "webhook";
}

[Description("End the run here.")]
public sealed record ExitStep : Step
{
    [Description("Why, for reports, e.g. converted or not-interested.")]
    public string? Reason { get; init; }

    /// <inheritdoc />
    public override string Kind => "exit";
}

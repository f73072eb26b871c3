using System.ComponentModel;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Core.Model;

/// <summary>
/// A journey as a marketer writes it in JSON. Steps run in list order unless a step names another by id, so a linear
/// series needs no wiring and branches jump by id. Step ids and enum strings are a stored contract: renaming one
/// breaks runs in flight, which carry the version they started with.
/// </summary>
[Description("A customer journey: what starts it, the steps each contact walks through, and when a contact leaves.")]
public sealed record JourneyDefinition
{
    [JsonPropertyName("$schema")]
    [Description("Path or URL of the JSON Schema, so editors such as VS Code can complete and check this file.")]
    public string? Schema { get; init; }

    [Description("Stable identifier (lowercase letters, digits and dashes). Runs, stats and the URL use it; do not rename a live journey.")]
    public required string Id { get; init; }

    [Description("A name people read in reports and the journey map.")]
    public required string Name { get; init; }

    [Description("What the journey is for, in a sentence or two.")]
    public string? Description { get; init; }

    [Description("Lifecycle stage this journey serves, for the journey map and reports.")]
    public JourneyStage? Stage { get; init; }

    [Description("Set on publish: the version runs pin. Leave it out of files you edit; the store assigns it.")]
    public int? Version { get; init; }

    [Description("What starts a run for a contact: an event, a tag being added, or a period with no activity.")]
    public required Trigger Trigger { get; init; }

    [Description("Whether a contact may enter again after a run. Default: never.")]
    public ReentryPolicy? Reentry { get; init; }

    [Description("Events that end a run early wherever it is (for example an order ends an abandoned-cart run).")]
    public IReadOnlyList<ExitRule> ExitWhen { get; init; } = [];

    [Description("The conversion this journey works toward, counted when it happens within the window after entry.")]
    public Goal? Goal { get; init; }

    [Description("Quiet hours: emails due outside this window wait until it next opens, in the contact's time zone.")]
    public SendWindow? SendWindow { get; init; }

    [Description("Marketing journeys (the default) honour unsubscribes and carry one-click unsubscribe; transactional ones do not stop on a marketing unsubscribe.")]
    public JourneyCategory Category { get; init; } = JourneyCategory.Marketing;

    [Description("The steps, run in order unless a step names its next step by id.")]
    public required IReadOnlyList<Step> Steps { get; init; }

    /// <summary>Finds a step by id; null when no step has it.</summary>
    public Step? FindStep(string id)
    {
        foreach (var step in Steps)
        {
            if (string.Equals(step.Id, id, StringComparison.Ordinal))
            {
                return step;
            }
        }

        return null;
    }

    /// <summary>The position of a step in <see cref="Steps"/>, or -1.</summary>
    public int IndexOf(string id)
    {
        for (var i = 0; i < Steps.Count; i++)
        {
            if (string.Equals(Steps[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>The lifecycle stages of the seeds (awareness ... advocacy) and the classic funnel ones.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JourneyStage>))]
public enum JourneyStage
{
    [JsonStringEnumMemberName("awareness")] Awareness,
    [JsonStringEnumMemberName("acquisition")] Acquisition,
    [JsonStringEnumMemberName("consideration")] Consideration,
    [JsonStringEnumMemberName("decision")] Decision,
    [JsonStringEnumMemberName("purchase")] Purchase,
    [JsonStringEnumMemberName("onboarding")] Onboarding,
    [JsonStringEnumMemberName("engagement")] Engagement,
    [JsonStringEnumMemberName("retention")] Retention,
    [JsonStringEnumMemberName("advocacy")] Advocacy,
}

[JsonConverter(typeof(JsonStringEnumConverter<JourneyCategory>))]
public enum JourneyCategory
{
    [JsonStringEnumMemberName("marketing")] Marketing,
    [JsonStringEnumMemberName("transactional")] Transactional,
}

/// <summary>
/// What starts a run. Exactly one of <see cref="Event"/>, <see cref="TagAdded"/> or <see cref="InactiveFor"/>.
/// A tag trigger is matched against the synthetic event <see cref="SystemEvents.TagAdded"/>; an inactivity trigger
/// by the inactivity sweep.
/// </summary>
[Description("What starts a run. Give exactly one of event, tagAdded or inactiveFor.")]
public sealed record Trigger
{
    [Description("Name of the contact event that starts a run, e.g. cart.updated.")]
    public string? Event { get; init; }

    [Description("Only events matching this condition start a run (fields of the event are under trigger.*).")]
    public Condition? Filter { get; init; }

    [Description("For one run per thing (per cart, per order): the event data field whose value keys the run, e.g. cartId.")]
    public string? Key { get; init; }

    [Description("Start when this tag is added to a contact.")]
    public string? TagAdded { get; init; }

    [Description("Start when a contact has had no activity for this ISO 8601 duration, e.g. P30D.")]
    public string? InactiveFor { get; init; }
}

[Description("Whether and when a contact may enter this journey again.")]
public sealed record ReentryPolicy
{
    [Description("never: once per contact (per key). afterExit: again once the previous run has ended.")]
    public ReentryMode Mode { get; init; } = ReentryMode.Never;

    [Description("With afterExit: how long after the previous run ended before a new one may start (ISO 8601, e.g. P1D).")]
    public string? Cooldown { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ReentryMode>))]
public enum ReentryMode
{
    [JsonStringEnumMemberName("never")] Never,
    [JsonStringEnumMemberName("afterExit")] AfterExit,
}

[Description("An event that ends the run wherever it is.")]
public sealed record ExitRule
{
    [Description("Event name, e.g. order.placed.")]
    public required string Event { get; init; }

    [Description("Only events matching this condition end the run (the event's fields are under event.*).")]
    public Condition? Filter { get; init; }

    [Description("Keyed journeys: an event that carries the trigger's key field ends only the run with that key (an order for cart A does not end cart B's run). false: it ends every run of the contact. Default true; no effect without a trigger key.")]
    public bool MatchKey { get; init; } = true;
}

[Description("The conversion this journey drives. Counted once per run when it happens within the window.")]
public sealed record Goal
{
    [Description("Event that counts as the conversion, e.g. order.placed.")]
    public required string Event { get; init; }

    [Description("Only events matching this condition count.")]
    public Condition? Filter { get; init; }

    [Description("ISO 8601 duration after entry within which the event counts, e.g. P7D. Default: for the whole run.")]
    public string? Within { get; init; }

    [Description("Whether reaching the goal ends the run. Default true.")]
    public bool EndsRun { get; init; } = true;

    [Description("Keyed journeys: an event that carries the trigger's key field counts only for the run with that key, so one order counts one goal. false: it counts for every run of the contact. Default true; no effect without a trigger key.")]
    public bool MatchKey { get; init; } = true;
}

[Description("When emails may go out, in the contact's time zone. An email due outside it waits for the next opening.")]
public sealed record SendWindow
{
    [Description("Days emails may go out. Default: every day.")]
    public IReadOnlyList<Weekday>? Days { get; init; }

    [Description("Opening time, HH:mm (24 h), e.g. 09:00.")]
    public required string From { get; init; }

    [Description("Closing time, HH:mm (24 h), e.g. 20:00. A window may cross midnight (22:00 to 06:00).")]
    public required string To { get; init; }

    [Description("IANA time zone used for contacts who have none, e.g. Europe/Madrid. Default UTC.")]
    public string? TimeZone { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<Weekday>))]
public enum Weekday
{
    [JsonStringEnumMemberName("sun")] Sunday,
    [JsonStringEnumMemberName("mon")] Monday,
    [JsonStringEnumMemberName("tue")] Tuesday,
    [JsonStringEnumMemberName("wed")] Wednesday,
    [JsonStringEnumMemberName("thu")] Thursday,
    [JsonStringEnumMemberName("fri")] Friday,
    [JsonStringEnumMemberName("sat")] Saturday,
}

/// <summary>Event names the product itself raises.</summary>
public static class SystemEvents
{
    /// <summary>Raised when a tag is added to a contact; data: <c>{ "tag": "vip" }</c>.</summary>
    public const string TagAdded = "contact.tagAdded";

    /// <summary>Raised when a tag is removed; data: <c>{ "tag": "vip" }</c>.</summary>
    public const string TagRemoved = "contact.tagRemoved";

    /// <summary>Raised by the inactivity sweep for a journey with an inactivity trigger; data: <c>{ "journeyId": ... }</c>.</summary>
    public const string Inactive = "contact.inactive";

    /// <summary>ACS engagement: the contact opened an email; data: <c>{ "journeyId", "stepId", "runId" }</c>.</summary>
    public const string EmailOpened = "email.opened";

    /// <summary>ACS engagement: the contact clicked a link; data: <c>{ "journeyId", "stepId", "runId", "url" }</c>.</summary>
    public const string EmailClicked = "email.clicked";

    /// <summary>ACS delivery report: delivered; data: <c>{ "journeyId", "stepId", "runId", "status" }</c>.</summary>
    public const string EmailDelivered = "email.delivered";

    /// <summary>ACS delivery report: bounced, suppressed or failed.</summary>
    public const string EmailBounced = "email.bounced";

    /// <summary>The contact unsubscribed from marketing.</summary>
    public const string Unsubscribed = "contact.unsubscribed";

    /// <summary>
    /// A paused journey was resumed; data: <c>{ "journeyId" }</c>. Queued for each contact with a run of it whose timer
    /// fell due during the pause, so the timer fires at resume instead of at the next pause check.
    /// </summary>
    public const string JourneyResumed = "journey.resumed";
}

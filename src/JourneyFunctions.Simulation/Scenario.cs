using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyFunctions.Simulation;

/// <summary>
/// A scripted story for one contact in one journey: who the contact is, what they do and when, how long to watch, and
/// what the business expects to happen. The simulator plays it on a virtual clock through the real machine, services
/// and templates; <c>journeys test</c> turns the expectations into pass/fail. The JSON format is documented in
/// docs/simulator.md and described by schema/scenario.schema.json.
/// </summary>
[Description("A journey scenario: a scripted contact and events, played on a virtual clock, with expectations.")]
public sealed record Scenario
{
    [JsonPropertyName("$schema")]
    [Description("Path or URL of the JSON Schema (schema/scenario.schema.json).")]
    public string? Schema { get; init; }

    [Description("A name for reports; default: the file name.")]
    public string? Name { get; init; }

    [Description("What the scenario shows, in a sentence.")]
    public string? Description { get; init; }

    [Description("Path of the journey JSON, relative to this file. Optional when the command line names the journey.")]
    public string? Journey { get; init; }

    [Description("When the story begins: an ISO 8601 date and time with an offset, e.g. 2026-03-02T23:30:00+01:00.")]
    public required DateTimeOffset Start { get; init; }

    [Description("The contact the story is about.")]
    public required ScenarioContact Contact { get; init; }

    [Description("What the contact does, in order: the first event usually triggers the journey.")]
    public IReadOnlyList<ScenarioEvent> Events { get; init; } = [];

    [Description("How long to watch after start, ISO 8601 (e.g. P30D). Default P30D.")]
    public string RunFor { get; init; } = "P30D";

    [Description("Answers of webhook steps by step id (default: 200 with an empty object).")]
    public IReadOnlyDictionary<string, ScenarioWebhookAnswer>? Webhooks { get; init; }

    [Description("What must (or must not) happen; each item checks one thing.")]
    public IReadOnlyList<ScenarioExpectation> Expect { get; init; } = [];
}

[Description("The scripted contact.")]
public sealed record ScenarioContact
{
    [Description("Contact id. Default: contact-1.")]
    public string Id { get; init; } = "contact-1";

    [Description("Email address. Default: <id>@example.com.")]
    public string? Email { get; init; }

    [Description("IANA time zone, e.g. Europe/Madrid. Default: UTC.")]
    public string? TimeZone { get; init; }

    [Description("Profile fields (firstName, country, winbackUnsubscribe ...).")]
    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    [Description("Tags the contact has at start, e.g. vip.")]
    public IReadOnlyList<string>? Tags { get; init; }

    [Description("Whether the contact consented to marketing email. Default true.")]
    public bool MarketingConsent { get; init; } = true;
}

[Description("One thing the contact does.")]
public sealed record ScenarioEvent
{
    [Description("When: a duration after start (+PT30M, +P2D) or an absolute ISO 8601 time. Default: at start.")]
    public string? At { get; init; }

    [Description("Event name, e.g. cart.updated or order.placed.")]
    public required string Name { get; init; }

    [Description("Event data (a JSON object), e.g. { \"cartId\": \"c1\" }.")]
    public JsonElement? Data { get; init; }

    [Description("Optional event id; default: derived from the position in the list.")]
    public string? Id { get; init; }
}

[Description("How a webhook step's endpoint answers in the simulation.")]
public sealed record ScenarioWebhookAnswer
{
    [Description("HTTP status code. 2xx succeeds; 4xx is a permanent refusal (the step is skipped).")]
    public int Status { get; init; } = 200;

    [Description("JSON body of the answer, available to later steps as events.<stepId>.")]
    public JsonElement? Body { get; init; }
}

/// <summary>
/// One check. Exactly one of the subject properties (<see cref="Email"/>, <see cref="NoEmail"/>, <see cref="Tag"/>,
/// <see cref="NoTag"/>, <see cref="Completed"/>, <see cref="EmailCount"/>, <see cref="Visited"/>,
/// <see cref="NotVisited"/>, <see cref="Entered"/>, <see cref="Field"/>, <see cref="Counter"/>); <see cref="At"/>,
/// <see cref="AtLocal"/>, <see cref="Subject"/>, <see cref="Contains"/> and <see cref="Link"/> refine
/// <see cref="Email"/> (one sent email must match them all), and <see cref="EqualTo"/> refines <see cref="Field"/>
/// and <see cref="Counter"/>.
/// </summary>
[Description("One check. Give exactly one of: email, noEmail, tag, noTag, completed, emailCount, visited, notVisited, entered, field, counter.")]
public sealed record ScenarioExpectation
{
    [Description("An email was sent from this template (or email step id).")]
    public string? Email { get; init; }

    [Description("With email: sent at this time, a duration after start (+PT1H) or an absolute ISO 8601 time.")]
    public string? At { get; init; }

    [Description("With email: sent at this local time in the contact's zone, HH:mm (09:00) or a local date and time (2026-03-03T09:00).")]
    public string? AtLocal { get; init; }

    [Description("With email: the rendered subject contains this text.")]
    public string? Subject { get; init; }

    [Description("With email: the rendered email (subject, text part or the HTML's text) contains this text, e.g. \"Linen tee\".")]
    public string? Contains { get; init; }

    [Description("With email: the email links to this URL (an href of the HTML or a URL of the text part); a URL ending in * matches any link it starts, e.g. https://shop.example/cart/*.")]
    public string? Link { get; init; }

    [Description("No email was sent from this template (or email step id).")]
    public string? NoEmail { get; init; }

    [Description("The contact has this tag at the end.")]
    public string? Tag { get; init; }

    [Description("The contact does not have this tag at the end.")]
    public string? NoTag { get; init; }

    [Description("How the (latest) run ended: goal, exited, finished, cancelled, failed; or waiting / active for a run still going.")]
    public string? Completed { get; init; }

    [Description("Exactly this many emails were sent.")]
    public int? EmailCount { get; init; }

    [Description("The run reached this step id.")]
    public string? Visited { get; init; }

    [Description("The run never reached this step id.")]
    public string? NotVisited { get; init; }

    [Description("true: the contact entered the journey; false: the contact never entered.")]
    public bool? Entered { get; init; }

    [Description("A contact field checked at the end; with equals (default: the field exists).")]
    public string? Field { get; init; }

    [Description("A counter of the journey's stats at the end (as GET /api/journeys/{id}/stats counts): a journey total (entered, finished, exited, goal, cancelled, failed) or a step's, as <stepId>.<counter> (reminder-1.sent, vip-check.visited); with equals (default: more than zero).")]
    public string? Counter { get; init; }

    [JsonPropertyName("equals")]
    [Description("With field: the JSON value it must have. With counter: the number it must be.")]
    public JsonElement? EqualTo { get; init; }
}

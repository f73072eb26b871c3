using System.Text.Json.Nodes;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Tests.Validation;

/// <summary>Valid journeys the validation tests start from and break one property at a time.</summary>
internal static class Journeys
{
    /// <summary>The abandoned-cart example of the design, with comments and a trailing comma as people write files.</summary>
    public const string AbandonedCart = """
        {
          "$schema": "../schema/journey.schema.json",
          "id": "abandoned-cart",
          "name": "Abandoned cart reminders",
          "stage": "decision",
          // One run per cart.
          "trigger": { "event": "cart.updated", "key": "cartId" },
          "reentry": { "mode": "afterExit", "cooldown": "P1D" },
          "exitWhen": [ { "event": "order.placed" }, { "event": "cart.emptied" } ],
          "goal": { "event": "order.placed", "within": "P7D" },
          "sendWindow": { "days": ["mon","tue","wed","thu","fri","sat"], "from": "09:00", "to": "20:00", "timeZone": "Europe/Madrid" },
          "steps": [
            { "id": "grace", "type": "wait", "duration": "PT1H" },
            { "id": "reminder-1", "type": "email", "template": "cart-reminder-1" },
            { "id": "wait-order", "type": "waitForEvent", "event": "order.placed", "timeout": "P1D",
              "onEvent": "end", "onTimeout": "vip-check" },
            { "id": "vip-check", "type": "branch", "if": { "tag": "vip" }, "then": "reminder-2-coupon", "else": "reminder-2" },
            { "id": "reminder-2", "type": "email", "template": "cart-reminder-2", "next": "tag" },
            { "id": "reminder-2-coupon", "type": "email", "template": "cart-reminder-2-coupon" },
            { "id": "tag", "type": "tags", "add": ["cart-abandoner"] },
            { "id": "end", "type": "exit" },
          ]
        }
        """;

    /// <summary>Every step kind and condition form, valid.</summary>
    public const string EveryKind = """
        {
          "id": "every-kind",
          "name": "Every step kind",
          "trigger": { "event": "order.placed", "filter": { "field": "trigger.total", "greaterThan": 10 } },
          "steps": [
            { "id": "until-morning", "type": "wait", "until": { "time": "09:00", "days": ["mon", "fri"] } },
            { "id": "after-delivery", "type": "wait", "relativeTo": "trigger.deliveredAt", "offset": "P2D", "duration": "P5D" },
            { "id": "ask", "type": "email", "template": "review-request", "ignoreSendWindow": true },
            { "id": "wait-review", "type": "waitForEvent", "event": "review.submitted", "timeout": "P7D",
              "filter": { "field": "event.orderId", "exists": true }, "onTimeout": "ab" },
            { "id": "thanks-branch", "type": "branch",
              "if": { "all": [
                { "field": "events.wait-review.rating", "greaterThan": 3 },
                { "not": { "tag": "staff" } },
                { "any": [ { "emailOpened": "ask" }, { "emailClicked": "ask" } ] },
                { "field": "contact.country", "in": ["ES", "FR"] },
                { "field": "contact.signedUpAt", "before": "-P30D" },
                { "field": "contact.signedUpAt", "after": "2024-01-01" },
                { "field": "event.comment", "contains": "great" },
                { "field": "contact.tier", "equals": "gold" }
              ] },
              "then": "crm", "else": "end" },
            { "id": "crm", "type": "webhook", "url": "https://crm.example.com/hooks/review", "method": "PUT",
              "headers": { "X-Api-Key": "{{secret:crm-key}}" } },
            { "id": "local-hook", "type": "webhook", "url": "http://localhost:5080/hook" },
            { "id": "tier", "type": "setField", "field": "loyaltyTier", "value": "gold" },
            { "id": "consent", "type": "setField", "field": "marketingConsent", "value": true },
            { "id": "reviewer", "type": "tags", "add": ["reviewer"], "remove": ["review-pending"] },
            { "id": "ab", "type": "split", "paths": [ { "percent": 50, "label": "A" }, { "percent": 50, "next": "end", "label": "holdout" } ] },
            { "id": "reminder", "type": "email", "template": "review-reminder" },
            { "id": "end", "type": "exit", "reason": "done" }
          ]
        }
        """;

    public static JsonObject Parse(string json) =>
        JsonNode.Parse(json, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();

    public static JsonObject Step(JsonObject journey, int index) => journey["steps"]!.AsArray()[index]!.AsObject();
}

/// <summary>A catalog over a fixed set of names, with canned problems per template: the real contract, in memory.</summary>
internal sealed class InMemoryTemplateCatalog(IReadOnlyDictionary<string, string[]> templates) : ITemplateCatalog
{
    public List<(string Template, TemplateScope Scope)> Checks { get; } = [];

    public bool Exists(string template) => templates.ContainsKey(template);

    public IReadOnlyList<string> Check(string template, TemplateScope scope)
    {
        Checks.Add((template, scope));
        return templates[template];
    }
}

/// <summary>A catalog whose templates all exist, pass their checks and carry canned notes (<see cref="ITemplateCatalog.Notes"/>).</summary>
internal sealed class NotingTemplateCatalog(IReadOnlyDictionary<string, string[]> notes) : ITemplateCatalog
{
    public bool Exists(string template) => true;

    public IReadOnlyList<string> Check(string template, TemplateScope scope) => [];

    public IReadOnlyList<string> Notes(string template) => notes.TryGetValue(template, out var found) ? found : [];
}

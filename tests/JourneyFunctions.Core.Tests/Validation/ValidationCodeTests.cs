using System.Reflection;
using System.Text.Json.Nodes;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Tests.Validation;

/// <summary>One row per error code: a valid journey broken in one place must give exactly that code at that path.</summary>
public sealed class ValidationCodeTests
{
    private static readonly Dictionary<string, (Action<JsonObject> Break, string Code, string Path)> Cases = new()
    {
        ["malformed"] = (_ => { }, ValidationCodes.MalformedJson, "$"),
        ["unknown property"] = (j => Journeys.Step(j, 1)["tempalte"] = "x", ValidationCodes.UnknownProperty, "$.steps[1].tempalte"),
        ["unknown journey property"] = (j => j["exitwhen"] = new JsonArray(), ValidationCodes.UnknownProperty, "$.exitwhen"),
        ["missing property"] = (j => Journeys.Step(j, 2).Remove("timeout"), ValidationCodes.MissingProperty, "$.steps[2].timeout"),
        ["missing step type"] = (j => Journeys.Step(j, 7).Remove("type"), ValidationCodes.MissingProperty, "$.steps[7].type"),
        ["wrong type"] = (j => j["exitWhen"] = new JsonObject { ["event"] = "x" }, ValidationCodes.WrongType, "$.exitWhen"),
        ["wrong number type"] = (j => Journeys.Step(j, 0)["duration"] = 3600, ValidationCodes.WrongType, "$.steps[0].duration"),
        ["schema not text"] = (j => j["$schema"] = 5, ValidationCodes.WrongType, "$['$schema']"),
        ["null required"] = (j => j["name"] = null, ValidationCodes.WrongType, "$.name"),
        ["unknown step kind"] = (j => Journeys.Step(j, 1)["type"] = "emial", ValidationCodes.UnknownStepKind, "$.steps[1].type"),
        ["bad enum"] = (j => j["stage"] = "Decision", ValidationCodes.InvalidValue, "$.stage"),
        ["bad weekday"] = (j => j["sendWindow"]!["days"]![0] = "monday", ValidationCodes.InvalidValue, "$.sendWindow.days[0]"),
        ["empty event"] = (j => j["exitWhen"]![1]!["event"] = " ", ValidationCodes.EmptyValue, "$.exitWhen[1].event"),
        ["journey id"] = (j => j["id"] = "Abandoned Cart", ValidationCodes.InvalidId, "$.id"),
        ["step id"] = (j => Journeys.Step(j, 1)["id"] = "Reminder_1", ValidationCodes.InvalidId, "$.steps[1].id"),
        ["duplicate step id"] = (j => Journeys.Step(j, 1)["id"] = "grace", ValidationCodes.DuplicateStepId, "$.steps[1].id"),
        ["dangling next"] = (j => Journeys.Step(j, 4)["next"] = "tags", ValidationCodes.DanglingStep, "$.steps[4].next"),
        ["dangling onEvent"] = (j => Journeys.Step(j, 2)["onEvent"] = "ende", ValidationCodes.DanglingStep, "$.steps[2].onEvent"),
        ["unreachable"] = (j => Journeys.Step(j, 3)["then"] = "reminder-2", ValidationCodes.UnreachableStep, "$.steps[5]"),
        ["loop without wait"] = (j => Journeys.Step(j, 6)["next"] = "vip-check", ValidationCodes.LoopWithoutWait, "$.steps[3]"),
        ["no steps"] = (j => j["steps"] = new JsonArray(), ValidationCodes.NoSteps, "$.steps"),
        ["split total"] = (j => AddSplit(j, 60, 30), ValidationCodes.SplitTotal, "$.steps[7].paths"),
        ["split percent"] = (j => AddSplit(j, 150, 0), ValidationCodes.SplitPercent, "$.steps[7].paths[0].percent"),
        ["split paths"] = (j => AddSplit(j, 100), ValidationCodes.SplitPaths, "$.steps[7].paths"),
        ["bad duration"] = (j => Journeys.Step(j, 0)["duration"] = "1h", ValidationCodes.InvalidDuration, "$.steps[0].duration"),
        ["bad cooldown"] = (j => j["reentry"]!["cooldown"] = "P1H", ValidationCodes.InvalidDuration, "$.reentry.cooldown"),
        ["negative timeout"] = (j => Journeys.Step(j, 2)["timeout"] = "-P1D", ValidationCodes.NegativeDuration, "$.steps[2].timeout"),
        ["zero goal window"] = (j => j["goal"]!["within"] = "PT0S", ValidationCodes.NegativeDuration, "$.goal.within"),
        ["unknown zone"] = (j => j["sendWindow"]!["timeZone"] = "Europe/Madird", ValidationCodes.UnknownTimeZone, "$.sendWindow.timeZone"),
        ["bad time"] = (j => j["sendWindow"]!["to"] = "8pm", ValidationCodes.InvalidTime, "$.sendWindow.to"),
        ["empty window"] = (j => j["sendWindow"]!["to"] = "09:00", ValidationCodes.EmptySendWindow, "$.sendWindow"),
        ["no days"] = (j => j["sendWindow"]!["days"] = new JsonArray(), ValidationCodes.EmptySendWindow, "$.sendWindow.days"),
        ["no trigger form"] = (j => j["trigger"] = new JsonObject(), ValidationCodes.TriggerForm, "$.trigger"),
        ["two trigger forms"] = (j => j["trigger"]!["inactiveFor"] = "P30D", ValidationCodes.TriggerForm, "$.trigger"),
        ["empty key"] = (j => j["trigger"]!["key"] = "", ValidationCodes.MissingTriggerKey, "$.trigger.key"),
        ["key on tag trigger"] = (j => j["trigger"] = new JsonObject { ["tagAdded"] = "vip", ["key"] = "cartId" }, ValidationCodes.KeyNotAllowed, "$.trigger.key"),
        ["cooldown never"] = (j => j["reentry"]!["mode"] = "never", ValidationCodes.CooldownWithoutReentry, "$.reentry.cooldown"),
        ["two condition forms"] = (j => Journeys.Step(j, 3)["if"]!["emailOpened"] = "reminder-1", ValidationCodes.ConditionForm, "$.steps[3].if"),
        ["empty condition"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject(), ValidationCodes.ConditionForm, "$.steps[3].if"),
        ["empty all"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["all"] = new JsonArray() }, ValidationCodes.ConditionForm, "$.steps[3].if.all"),
        ["no operator"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "contact.country" }, ValidationCodes.ConditionOperator, "$.steps[3].if"),
        ["two operators"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "trigger.total", ["greaterThan"] = 1, ["lessThan"] = 9 }, ValidationCodes.ConditionOperator, "$.steps[3].if"),
        ["operator on tag"] = (j => Journeys.Step(j, 3)["if"]!["exists"] = true, ValidationCodes.ConditionOperator, "$.steps[3].if"),
        ["bad date"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "contact.birthday", ["before"] = "last week" }, ValidationCodes.InvalidDate, "$.steps[3].if.before"),
        ["bad comparable"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "trigger.total", ["greaterThan"] = new JsonArray(1) }, ValidationCodes.InvalidValue, "$.steps[3].if.greaterThan"),
        ["field root"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "country", ["equals"] = "ES" }, ValidationCodes.InvalidFieldPath, "$.steps[3].if.field"),
        ["field without name"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "contact", ["exists"] = true }, ValidationCodes.InvalidFieldPath, "$.steps[3].if.field"),
        ["events of a branch"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "events.vip-check.total", ["exists"] = true }, ValidationCodes.NotAnEventStep, "$.steps[3].if.field"),
        ["events of a missing step"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["field"] = "events.wait-ordr.total", ["exists"] = true }, ValidationCodes.DanglingStep, "$.steps[3].if.field"),
        ["opened a wait"] = (j => Journeys.Step(j, 3)["if"] = new JsonObject { ["emailOpened"] = "grace" }, ValidationCodes.NotAnEmailStep, "$.steps[3].if.emailOpened"),
        ["filter field root"] = (j => j["exitWhen"]![0]!["filter"] = new JsonObject { ["field"] = "order.total", ["greaterThan"] = 5 }, ValidationCodes.InvalidFieldPath, "$.exitWhen[0].filter.field"),
        ["equalsField root"] = (j => j["exitWhen"]![0]!["filter"] = new JsonObject { ["field"] = "event.cartId", ["equalsField"] = "cart.id" }, ValidationCodes.InvalidFieldPath, "$.exitWhen[0].filter.equalsField"),
        ["unknown run value"] = (j => j["goal"]!["filter"] = new JsonObject { ["field"] = "event.cartId", ["equalsField"] = "run.kye" }, ValidationCodes.InvalidFieldPath, "$.goal.filter.equalsField"),
        ["run key in trigger filter"] = (j => j["trigger"]!["filter"] = new JsonObject { ["field"] = "trigger.cartId", ["equalsField"] = "run.key" }, ValidationCodes.NoRunKey, "$.trigger.filter.equalsField"),
        ["run key without trigger key"] = (j => { j["trigger"]!.AsObject().Remove("key"); j["goal"]!["filter"] = new JsonObject { ["field"] = "run.key", ["exists"] = true }; }, ValidationCodes.NoRunKey, "$.goal.filter.field"),
        ["equals and equalsField"] = (j => j["goal"]!["filter"] = new JsonObject { ["field"] = "event.cartId", ["equals"] = "c-1", ["equalsField"] = "run.key" }, ValidationCodes.ConditionOperator, "$.goal.filter"),
        ["wait with nothing"] = (j => Journeys.Step(j, 0).Remove("duration"), ValidationCodes.WaitForm, "$.steps[0]"),
        ["wait until and duration"] = (j => Journeys.Step(j, 0)["until"] = new JsonObject { ["time"] = "09:00" }, ValidationCodes.WaitForm, "$.steps[0]"),
        ["offset without relativeTo"] = (j => Journeys.Step(j, 0)["offset"] = "P1D", ValidationCodes.WaitForm, "$.steps[0].offset"),
        ["relativeTo root"] = (j => Journeys.Step(j, 0)["relativeTo"] = "order.deliveredAt", ValidationCodes.InvalidFieldPath, "$.steps[0].relativeTo"),
        ["until bad time"] = (j => { Journeys.Step(j, 0).Remove("duration"); Journeys.Step(j, 0)["until"] = new JsonObject { ["time"] = "9am" }; }, ValidationCodes.InvalidTime, "$.steps[0].until.time"),
        ["http webhook"] = (j => AddStep(j, new JsonObject { ["id"] = "hook", ["type"] = "webhook", ["url"] = "http://crm.example.com/x" }), ValidationCodes.InvalidUrl, "$.steps[7].url"),
        ["relative webhook"] = (j => AddStep(j, new JsonObject { ["id"] = "hook", ["type"] = "webhook", ["url"] = "crm.example.com/x" }), ValidationCodes.InvalidUrl, "$.steps[7].url"),
        ["webhook method"] = (j => AddStep(j, new JsonObject { ["id"] = "hook", ["type"] = "webhook", ["url"] = "https://crm.example.com/x", ["method"] = "FETCH" }), ValidationCodes.InvalidMethod, "$.steps[7].method"),
        ["empty tags"] = (j => Journeys.Step(j, 6)["add"] = new JsonArray(), ValidationCodes.EmptyTags, "$.steps[6]"),
        ["consent value"] = (j => AddStep(j, new JsonObject { ["id"] = "optin", ["type"] = "setField", ["field"] = "marketingConsent", ["value"] = "yes" }), ValidationCodes.InvalidConsentValue, "$.steps[7].value"),
        ["duplicate property"] = (_ => { }, ValidationCodes.DuplicateProperty, "$.name"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Validate_JourneyBrokenInOnePlace_ReportsThatCodeAtThatPath(string caseName)
    {
        var (breakIt, code, path) = Cases[caseName];
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        breakIt(journey);
        var json = caseName switch
        {
            "malformed" => Journeys.AbandonedCart.Replace("\"name\":", "\"name\"", StringComparison.Ordinal),
            "duplicate property" => journey.ToJsonString().Replace("\"name\":", "\"name\":\"again\",\"name\":", StringComparison.Ordinal),
            _ => journey.ToJsonString(),
        };

        var errors = JourneyValidator.Validate(json).Errors;

        var error = Assert.Single(errors);
        Assert.Equal((path, code), (error.Path, error.Code));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        // The message does not repeat its own path (it may name another place, e.g. the step that has the id already).
        Assert.DoesNotContain(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cases_CoverEveryCodeBesidesTheTemplateOnes()
    {
        var codes = typeof(ValidationCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToHashSet();
        codes.ExceptWith(Cases.Values.Select(c => c.Code));

        // Template codes need a catalog: JourneyValidatorTests.Validate_WithCatalog_... covers them. The secret code is a
        // warning, not an error, and needs the configured names: SecretWarningTests covers it.
        Assert.Equal([ValidationCodes.TemplateProblem, ValidationCodes.UnconfiguredSecret, ValidationCodes.UnknownTemplate], codes.Order(StringComparer.Ordinal));
    }

    private static void AddSplit(JsonObject journey, params int[] percents)
    {
        var paths = new JsonArray();
        foreach (var p in percents)
        {
            paths.Add(new JsonObject { ["percent"] = p });
        }

        AddStep(journey, new JsonObject { ["id"] = "ab", ["type"] = "split", ["paths"] = paths });
    }

    /// <summary>Inserts a step between "tag" (index 6) and the final exit, so it runs after "tag" and falls through to the exit.</summary>
    private static void AddStep(JsonObject journey, JsonObject step) => journey["steps"]!.AsArray().Insert(7, step);
}

using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>Sample rows for the contract suites.</summary>
internal static class TestData
{
    /// <summary>Ids that break naive table keys: every character Azure Table keys forbid, plus unicode and spaces.</summary>
    public static readonly TheoryData<string> NastyIds = new()
    {
        "a/b\\c#d?e",
        "tab\there\u0001ctl",
        "émilie+ñ@exämple.com",
        "日本語-🙂",
        "percent%2Fencoded",
        "  spaced  ",
        "colon:sep|pipe~tilde",
    };

    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public static Contact Contact(string id, params string[] tags) => new()
    {
        Id = id,
        Email = "someone@example.com",
        TimeZone = "Europe/Madrid",
        Fields = new Dictionary<string, JsonElement> { ["firstName"] = Json("\"Ana\""), ["orders"] = Json("3") },
        Tags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase),
        Consent = new Consent { Marketing = true, Source = "signup-form", At = T0 },
        CreatedAt = T0,
        LastActivityAt = T0.AddHours(1),
    };

    public static RunState Run(string journeyId, string contactId, string? key = null, int generation = 1, DateTimeOffset? startedAt = null) => new()
    {
        RunId = RunIds.For(journeyId, contactId, key, generation),
        JourneyId = journeyId,
        Version = 1,
        ContactId = contactId,
        Key = key,
        Status = RunStatus.Executing,
        StepId = "welcome",
        Sequence = 1,
        StartedAt = startedAt ?? T0,
        TriggerEventId = "evt-1",
        Trigger = Json("""{"cartId":"c1","items":[{"sku":"A","price":12.5}]}"""),
        Activity = new PendingActivity { StepId = "welcome", Sequence = 1, OperationId = "op-1" },
    };

    public static RunState Waiting(RunState state, DateTimeOffset until, string stepId = "wait") => state with
    {
        Status = RunStatus.Waiting,
        StepId = stepId,
        Sequence = state.Sequence + 1,
        Activity = null,
        Wait = new RunWait { StepId = stepId, Sequence = state.Sequence + 1, Until = until, Events = ["order.placed"] },
    };

    public static RunState Completed(RunState state, DateTimeOffset at) => state with
    {
        Status = RunStatus.Completed,
        StepId = null,
        Sequence = state.Sequence + 1,
        Wait = null,
        Activity = null,
        Completion = CompletionReason.Finished,
        EndedAt = at,
    };

    public static JourneyDefinition Journey(string id, string name = "Welcome") => new()
    {
        Id = id,
        Name = name,
        Stage = JourneyStage.Onboarding,
        Trigger = new Trigger { Event = "contact.subscribed" },
        Steps = [new WaitStep { Id = "wait-1", Duration = "P1D" }],
    };
}

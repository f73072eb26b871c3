using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// An effect the run needs. <see cref="OperationId"/> is deterministic and is the idempotency key: executing the same
/// request twice has the effect of once (the send ledger enforces it). Email: <c>{runId}|{stepId}</c> (once per run);
/// other activities: <c>{runId}|{stepId}|{sequence}</c> (once per visit of the step).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "activity")]
[JsonDerivedType(typeof(SendEmailRequest), "sendEmail")]
[JsonDerivedType(typeof(ChangeTagsRequest), "changeTags")]
[JsonDerivedType(typeof(SetFieldRequest), "setField")]
[JsonDerivedType(typeof(CallWebhookRequest), "webhook")]
public abstract record ActivityRequest
{
    public required string RunId { get; init; }

    public required string JourneyId { get; init; }

    public required int Version { get; init; }

    public required string ContactId { get; init; }

    public required string StepId { get; init; }

    public required int Sequence { get; init; }

    public required string OperationId { get; init; }
}

/// <summary>Data of the run that templates and webhooks see: trigger.*, event.*, events.&lt;stepId&gt;.*.</summary>
/// <remarks>
/// The defaults are shared instances, not new ones per object: an initializer that sets a property (the machine sets
/// every one, on every activity) would otherwise make a default only to drop it.
/// </remarks>
public sealed record RunData
{
    /// <summary>No data: what a request without <c>Data</c> carries.</summary>
    internal static readonly RunData Empty = new();

    /// <summary>No received events (read-only in effect: nothing writes through the interface).</summary>
    private static readonly IReadOnlyDictionary<string, JsonElement> NoEvents = new Dictionary<string, JsonElement>();

    public JsonElement? Trigger { get; init; }

    public JsonElement? Event { get; init; }

    public IReadOnlyDictionary<string, JsonElement> Events { get; init; } = NoEvents;
}

public sealed record SendEmailRequest : ActivityRequest
{
    public required string Template { get; init; }

    /// <summary>Marketing email: honours marketing consent and carries one-click unsubscribe.</summary>
    public bool Marketing { get; init; } = true;

    public RunData Data { get; init; } = RunData.Empty;
}

public sealed record ChangeTagsRequest : ActivityRequest
{
    public IReadOnlyList<string> Add { get; init; } = [];

    public IReadOnlyList<string> Remove { get; init; } = [];
}

public sealed record SetFieldRequest : ActivityRequest
{
    public required string Field { get; init; }

    public JsonElement? Value { get; init; }
}

public sealed record CallWebhookRequest : ActivityRequest
{
    public required string Url { get; init; }

    public string Method { get; init; } = "POST";

    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public JsonElement? Body { get; init; }

    public RunData Data { get; init; } = RunData.Empty;
}

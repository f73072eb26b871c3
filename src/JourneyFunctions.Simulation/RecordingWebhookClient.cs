using System.Net;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Simulation;

/// <summary>A webhook call the simulation made, with the answer it got.</summary>
public sealed record RecordedWebhookCall(DateTimeOffset At, string? StepId, WebhookCall Call, int Status);

/// <summary>
/// The simulator's webhook client: no request leaves the machine. Each call is recorded and answered as the scenario
/// says for its step (<see cref="Scenario.Webhooks"/>), else 200 with an empty object. A 4xx answer is a permanent
/// refusal and a 5xx a transient failure, exactly as <see cref="IWebhookClient"/> specifies for the real client.
/// </summary>
public sealed class RecordingWebhookClient(TimeProvider time, IReadOnlyDictionary<string, ScenarioWebhookAnswer>? answers) : IWebhookClient
{
    private readonly List<RecordedWebhookCall> _calls = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RecordedWebhookCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public Task<WebhookResponse> SendAsync(WebhookCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var stepId = OperationIds.StepOf(call.IdempotencyKey);
        var answer = stepId is not null && answers is not null && answers.TryGetValue(stepId, out var a) ? a : new ScenarioWebhookAnswer();
        lock (_gate)
        {
            _calls.Add(new RecordedWebhookCall(time.GetUtcNow(), stepId, call, answer.Status));
        }

        if (answer.Status is >= 400 and < 500 and not (int)HttpStatusCode.RequestTimeout and not (int)HttpStatusCode.TooManyRequests)
        {
            throw new WebhookException($"{call.Url} answered {answer.Status}", transient: false);
        }

        if (answer.Status >= 400)
        {
            throw new WebhookException($"{call.Url} answered {answer.Status}", transient: true);
        }

        return Task.FromResult(new WebhookResponse(answer.Status, answer.Body?.Clone()));
    }
}

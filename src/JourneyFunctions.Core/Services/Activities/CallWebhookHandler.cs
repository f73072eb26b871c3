using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>
/// Calls a webhook step's URL with the step's body (or the contact, run and trigger as JSON); the answer's body is
/// what later steps read as events.&lt;stepId&gt;. A permanent refusal skips the step; a transient failure throws.
/// </summary>
public sealed class CallWebhookHandler(IContactStore contacts, IWebhookClient webhooks) : IActivityHandler<CallWebhookRequest>
{
    public string Kind => "webhook";

    public async Task<ActivityOutcome> ExecuteAsync(CallWebhookRequest request, ActivityAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempt);
        var contact = await contacts.GetAsync(request.ContactId, cancellationToken);
        if (contact is null)
        {
            return await attempt.SkipAsync("the contact no longer exists", cancellationToken);
        }

        var body = request.Body is { } custom
            ? custom.GetRawText()
            : JsonSerializer.Serialize(new
            {
                contact = TemplateModels.ContactView(contact),
                journeyId = request.JourneyId,
                version = request.Version,
                stepId = request.StepId,
                runId = request.RunId,
                trigger = request.Data.Trigger,
                @event = request.Data.Event,
            });
        var headers = request.Headers ?? new Dictionary<string, string>();
        WebhookResponse response;
        try
        {
            response = await webhooks.SendAsync(new WebhookCall(request.Method, new Uri(request.Url), headers, body, request.OperationId), cancellationToken);
        }
        catch (WebhookException ex) when (!ex.Transient)
        {
            await attempt.FailAsync(ex.Message, cancellationToken);
            return ActivityOutcome.Skipped($"the webhook refused the call: {ex.Message}");
        }

        await attempt.FinishAsync($"{request.Method} {request.Url} answered {response.StatusCode.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        return ActivityOutcome.Succeeded(response.Body);
    }
}

using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>Calls webhook steps' endpoints.</summary>
public interface IWebhookClient
{
    /// <summary>
    /// Sends the call. Returns the response; throws <see cref="WebhookException"/> with
    /// <see cref="WebhookException.Transient"/> for network errors, timeouts, 408, 429 and 5xx.
    /// </summary>
    Task<WebhookResponse> SendAsync(WebhookCall call, CancellationToken cancellationToken = default);
}

public sealed record WebhookCall(string Method, Uri Url, IReadOnlyDictionary<string, string> Headers, string Body, string IdempotencyKey);

public sealed record WebhookResponse(int StatusCode, JsonElement? Body);

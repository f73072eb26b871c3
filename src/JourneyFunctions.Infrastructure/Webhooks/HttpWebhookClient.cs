using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Webhooks;

/// <summary>
/// Calls webhook steps' endpoints with the run's JSON. Sends an <c>Idempotency-Key</c> header (the operation id) so a
/// receiver can drop the repeat of a retried call. Network errors, timeouts, 408, 429 and 5xx are transient (the
/// host retries); other 4xx are permanent. A JSON response body is returned for later steps (events.&lt;stepId&gt;).
/// </summary>
public sealed class HttpWebhookClient(HttpClient http) : IWebhookClient
{
    /// <summary>The largest response body kept for later steps.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    public async Task<WebhookResponse> SendAsync(WebhookCall call, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Url);
        if (call.Method is not ("GET" or "DELETE" or "HEAD"))
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in call.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("Idempotency-Key", call.IdempotencyKey);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("JourneyFunctions", "1.0"));

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new WebhookException($"{call.Method} {call.Url.Host} failed: {ex.Message}", transient: true, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookException($"{call.Method} {call.Url.Host} timed out", transient: true, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var transient = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                throw new WebhookException($"{call.Method} {call.Url.Host} answered {status} {response.ReasonPhrase}", transient);
            }

            JsonElement? body = null;
            if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
                && response.Content.Headers.ContentLength is null or <= MaxResponseBytes)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (bytes.Length is > 0 and <= MaxResponseBytes)
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(bytes);
                        body = doc.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        // A body that says JSON but is not: the call still succeeded; later steps just get no data.
                    }
                }
            }

            return new WebhookResponse(status, body);
        }
    }
}

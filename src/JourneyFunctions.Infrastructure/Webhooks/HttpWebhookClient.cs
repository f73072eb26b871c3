using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Webhooks;

/// <summary>
/// Calls webhook steps' endpoints with the run's JSON. Sends an <c>Idempotency-Key</c> header (the operation id) so a
/// receiver can drop the repeat of a retried call. Network errors, timeouts, 408, 429 and 5xx are transient (the
/// host retries); other 4xx, a redirect (never followed), an internal address (<see cref="WebhookHttpHandler"/>) and
/// an unknown <c>{{secret:NAME}}</c> are permanent. A JSON response body is returned for later steps (events.&lt;stepId&gt;).
/// </summary>
public sealed class HttpWebhookClient : IWebhookClient
{
    /// <summary>The largest response body kept for later steps.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly WebhookOptions _options;

    /// <summary>A client without secrets, over <paramref name="http"/> as it is (tests that own their handler).</summary>
    public HttpWebhookClient(HttpClient http)
        : this(http, Options.Create(new WebhookOptions()))
    {
    }

    [ActivatorUtilitiesConstructor]
    public HttpWebhookClient(HttpClient http, IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this._http = http;
        this._options = options.Value;
    }

    public async Task<WebhookResponse> SendAsync(WebhookCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Url);
        if (call.Method is not ("GET" or "DELETE" or "HEAD"))
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8, "application/json");
        }

        foreach (var (name, template) in call.Headers)
        {
            var value = WebhookSecrets.Resolve(template, n => _options.Secrets.TryGetValue(n, out var s) ? s : null, out var missing)
                ?? throw new WebhookException($"{call.Method} {call.Url.Host}: the secret '{missing}' of header {name} is not configured (Webhooks:Secrets:{missing})", transient: false);
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
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (FindRefusal(ex) is { } refused)
        {
            throw new WebhookException($"{call.Method} {call.Url.Host} refused: {refused.Message}", transient: false, ex);
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
            if (status is >= 300 and < 400)
            {
                throw new WebhookException($"{call.Method} {call.Url.Host} answered {status} {response.ReasonPhrase}: webhooks do not follow redirects (they would carry the step's headers elsewhere); use the final URL", transient: false);
            }

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

    private static WebhookAddressRefusedException? FindRefusal(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is WebhookAddressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }
}

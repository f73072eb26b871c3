using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// Sends through the Azure Communication Services Email REST API on Azure.Core's HTTP pipeline (the
/// Azure.Communication.Email package cannot be restored where this is built; the wire contract is the same).
/// </summary>
/// <remarks>
/// Contract read from Azure/azure-rest-api-specs, specification/communication/data-plane/Email/stable/2025-09-01/
/// CommunicationServicesEmail.json (the same shape as stable/2023-03-31): <c>POST {endpoint}/emails:send?api-version=</c>
/// with an optional <c>Operation-Id</c> UUID header and body <c>{ senderAddress, content { subject, plainText, html },
/// recipients { to: [{ address, displayName }] }, replyTo: [...], headers { name: value }, userEngagementTrackingDisabled }</c>;
/// 202 Accepted with <c>Operation-Location</c>, <c>retry-after</c> and <c>{ id, status }</c> (NotStarted, Running,
/// Succeeded, Failed, Canceled); <c>GET {endpoint}/emails/operations/{id}</c> for the status; errors as
/// <c>{ error: { code, message } }</c>. The spec defines no repeatability headers: <c>Operation-Id</c>, derived from
/// the message's operation id (<see cref="OperationIds"/>), is what makes a retry the same operation.
/// Retries (408, 429, 5xx, network) are Azure.Core's, honouring Retry-After; what still fails is classified:
/// 408/429/5xx/network transient (with Retry-After), other 4xx permanent. A repeated send (the same
/// <c>Operation-Id</c> after a lost 202 or a retried step) that ACS answers as an operation it already has (409, or
/// an error code naming a duplicate) is settled by that operation's status: already sent, not a failure.
/// </remarks>
public sealed class AcsEmailSender : IEmailSender
{
    /// <summary>The Entra ID scope of Azure Communication Services (the double slash is part of it).</summary>
    public const string TokenScope = "https://communication.azure.com//.default";

    private readonly AcsEmailOptions _options;
    private readonly Uri _endpoint;
    private readonly HttpPipeline _pipeline;
    private readonly TimeProvider _time;

    public AcsEmailSender(IOptions<AcsEmailOptions> options, TimeProvider? timeProvider = null)
        : this(options.Value, credential: null, transport: null, timeProvider)
    {
    }

    /// <param name="options">Connection string, or endpoint (then <paramref name="credential"/> or DefaultAzureCredential).</param>
    /// <param name="credential">Entra ID credential when the options have no connection string.</param>
    /// <param name="transport">The HTTP transport; null for Azure.Core's default.</param>
    /// <param name="timeProvider">Clock for signatures and polling delays.</param>
    public AcsEmailSender(AcsEmailOptions options, TokenCredential? credential = null, HttpPipelineTransport? transport = null, TimeProvider? timeProvider = null)
    {
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        HttpPipelinePolicy authentication;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var connection = AcsConnectionString.Parse(options.ConnectionString);
            _endpoint = connection.Endpoint;
            authentication = new AcsHmacAuthenticationPolicy(connection.AccessKey, _time);
        }
        else if (Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint))
        {
            _endpoint = endpoint;
            authentication = new BearerTokenAuthenticationPolicy(credential ?? new DefaultAzureCredential(), TokenScope);
        }
        else
        {
            throw new ArgumentException("ACS email needs Email:Acs:ConnectionString (endpoint=...;accesskey=...) or Email:Acs:Endpoint for Entra ID auth", nameof(options));
        }

        var clientOptions = new AcsClientOptions();
        clientOptions.Retry.MaxRetries = Math.Max(0, options.MaxRetries);
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        if (transport is not null)
        {
            clientOptions.Transport = transport;
        }

        _pipeline = HttpPipelineBuilder.Build(clientOptions, [], [authentication], responseClassifier: null);
    }

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);

        // The parser ingest and the other senders use: an address ACS would refuse is refused here, permanently.
        MimeMessages.Mailbox(message.To, "recipient");
        if (message.ReplyTo is { } replyTo)
        {
            MimeMessages.Mailbox(replyTo, "reply-to");
        }

        var operationId = OperationIds.ToUuid(message.OperationId).ToString("D");
        using var request = _pipeline.CreateRequest();
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath("/emails:send", escape: false);
        request.Uri.AppendQuery("api-version", _options.ApiVersion);
        request.Headers.SetValue("Operation-Id", operationId);
        request.Headers.SetValue("Content-Type", "application/json");
        request.Headers.SetValue("Accept", "application/json");
        request.Content = RequestContent.Create(Body(message));

        using var response = await SendAsync(request, cancellationToken);
        if (response.Status is not (200 or 202))
        {
            if (IsRepeatedOperation(response))
            {
                return await AlreadySentAsync(operationId, Failure(response, "send"), message, cancellationToken);
            }

            throw Failure(response, "send");
        }

        var accepted = ReadStatus(response.Content.ToMemory());
        var id = accepted.Id ?? operationId;
        if (!_options.WaitForCompletion || IsTerminal(accepted.Status))
        {
            return Result(id, accepted, message);
        }

        return await PollAsync(id, response.Headers.TryGetValue("Operation-Location", out var location) ? location : null, RetryAfter(response), message, cancellationToken);
    }

    /// <summary>
    /// ACS already has this operation (a retry after a lost 202, or a pipeline retry of the step): its own status is
    /// the answer. Succeeded, Running or NotStarted mean the email is, or is being, sent: "already sent", never a
    /// failure. Only when the service does not know the operation does the send's own refusal stand.
    /// </summary>
    private async Task<EmailSendResult> AlreadySentAsync(string operationId, EmailSendException refusal, EmailMessage message, CancellationToken cancellationToken)
    {
        using var request = _pipeline.CreateRequest();
        request.Method = RequestMethod.Get;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath("/emails/operations/", escape: false);
        request.Uri.AppendPath(operationId, escape: true);
        request.Uri.AppendQuery("api-version", _options.ApiVersion);
        request.Headers.SetValue("Accept", "application/json");
        using var response = await SendAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            throw refusal;
        }

        if (response.Status != 200)
        {
            throw Failure(response, "status of the repeated operation");
        }

        var status = ReadStatus(response.Content.ToMemory());
        var id = status.Id ?? operationId;
        if (!_options.WaitForCompletion || IsTerminal(status.Status))
        {
            return Result(id, status, message);
        }

        return await PollAsync(id, location: null, RetryAfter(response), message, cancellationToken);
    }

    /// <summary>
    /// The answer ACS gives for an <c>Operation-Id</c> it already has. The 2025-09-01 spec lists only 202 and a
    /// default error (<c>{ error: { code, message } }</c>, <c>x-ms-error-code</c>) for <c>emails:send</c>, so this
    /// takes 409 Conflict (the Azure REST guidelines' answer for an id that exists) and any 4xx whose error code
    /// names a duplicate or existing operation; the operation's status then decides (<see cref="AlreadySentAsync"/>).
    /// </summary>
    private static bool IsRepeatedOperation(Response response)
    {
        if (response.Status == 409)
        {
            return true;
        }

        if (response.Status is < 400 or >= 500 or 401 or 403 or 408 or 429)
        {
            return false;
        }

        var (code, _) = ReadError(response);
        return code is not null && (code.Contains("AlreadyExists", StringComparison.OrdinalIgnoreCase)
            || code.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
            || code.Contains("Conflict", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<EmailSendResult> PollAsync(string id, string? location, TimeSpan? retryAfter, EmailMessage message, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.MaxPollDuration;
        var status = new OperationStatus(id, "Running", null, null);
        while (true)
        {
            var delay = retryAfter ?? _options.PollInterval;
            if (_time.GetUtcNow() + delay > deadline)
            {
                return new EmailSendResult(id, status.Status);
            }

            await Task.Delay(delay, _time, cancellationToken);
            using var request = _pipeline.CreateRequest();
            request.Method = RequestMethod.Get;
            if (location is not null && Uri.TryCreate(location, UriKind.Absolute, out var pollUri))
            {
                request.Uri.Reset(pollUri);
            }
            else
            {
                request.Uri.Reset(_endpoint);
                request.Uri.AppendPath("/emails/operations/", escape: false);
                request.Uri.AppendPath(id, escape: true);
                request.Uri.AppendQuery("api-version", _options.ApiVersion);
            }

            request.Headers.SetValue("Accept", "application/json");
            using var response = await SendAsync(request, cancellationToken);
            if (response.Status != 200)
            {
                throw Failure(response, "status poll");
            }

            status = ReadStatus(response.Content.ToMemory());
            if (IsTerminal(status.Status))
            {
                return Result(id, status, message);
            }

            retryAfter = RetryAfter(response);
        }
    }

    private async Task<Response> SendAsync(Request request, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.SendRequestAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is RequestFailedException or AggregateException or IOException or OperationCanceledException or HttpRequestException or AuthenticationFailedException)
        {
            var transient = exception is not AuthenticationFailedException;
            throw new EmailSendException($"ACS email request failed: {exception.Message}", transient, null, exception);
        }
    }

    private static EmailSendResult Result(string id, OperationStatus status, EmailMessage message)
    {
        if (status.Status is "Failed" or "Canceled")
        {
            throw new EmailSendException(
                $"ACS email operation {id} for {message.To.Address} ended {status.Status}: {status.ErrorCode ?? "no code"}: {status.ErrorMessage ?? "no message"}",
                transient: false);
        }

        return new EmailSendResult(id, status.Status);
    }

    private static bool IsTerminal(string status) => status is "Succeeded" or "Failed" or "Canceled";

    private static EmailSendException Failure(Response response, string what)
    {
        var (code, text) = ReadError(response);
        var retryAfter = RetryAfter(response);
        var transient = response.Status is 408 or 429 || response.Status >= 500;
        var detail = $"ACS email {what} returned {response.Status} {code ?? response.ReasonPhrase}: {text ?? "no message"}";
        return new EmailSendException(detail, transient, transient ? retryAfter : null);
    }

    private static (string? Code, string? Message) ReadError(Response response)
    {
        string? headerCode = response.Headers.TryGetValue("x-ms-error-code", out var value) ? value : null;
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return (
                    error.TryGetProperty("code", out var code) ? code.GetString() : headerCode,
                    error.TryGetProperty("message", out var text) ? text.GetString() : null);
            }
        }
        catch (JsonException)
        {
        }

        var body = response.Content.ToString();
        return (headerCode, string.IsNullOrWhiteSpace(body) ? null : body.Length > 500 ? body[..500] : body);
    }

    private static TimeSpan? RetryAfter(Response response)
    {
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(name, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        if (response.Headers.TryGetValue("Retry-After", out var value))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var delay = at - DateTimeOffset.UtcNow;
                return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
            }
        }

        return null;
    }

    private static OperationStatus ReadStatus(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return new OperationStatus(null, "Running", null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? Text(JsonElement element, string name) =>
                element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var error = root.TryGetProperty("error", out var e) ? e : default;
            return new OperationStatus(Text(root, "id"), Text(root, "status") ?? "Running", Text(error, "code"), Text(error, "message"));
        }
        catch (JsonException)
        {
            return new OperationStatus(null, "Running", null, null);
        }
    }

    private byte[] Body(EmailMessage message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("senderAddress", string.IsNullOrWhiteSpace(_options.SenderAddress) ? message.From.Address : _options.SenderAddress);
            json.WriteStartObject("content");
            json.WriteString("subject", message.Subject);
            json.WriteString("plainText", message.Text);
            json.WriteString("html", message.Html);
            json.WriteEndObject();
            json.WriteStartObject("recipients");
            json.WriteStartArray("to");
            WriteAddress(json, message.To);
            json.WriteEndArray();
            json.WriteEndObject();
            if (message.ReplyTo is { } replyTo)
            {
                json.WriteStartArray("replyTo");
                WriteAddress(json, replyTo);
                json.WriteEndArray();
            }

            if (message.Headers.Count > 0)
            {
                json.WriteStartObject("headers");
                foreach (var (name, value) in message.Headers)
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
            }

            json.WriteBoolean("userEngagementTrackingDisabled", !message.TrackEngagement);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteAddress(Utf8JsonWriter json, EmailAddress address)
    {
        json.WriteStartObject();
        json.WriteString("address", address.Address);
        if (!string.IsNullOrEmpty(address.DisplayName))
        {
            json.WriteString("displayName", address.DisplayName);
        }

        json.WriteEndObject();
    }

    private sealed record OperationStatus(string? Id, string Status, string? ErrorCode, string? ErrorMessage);

    private sealed class AcsClientOptions : ClientOptions
    {
    }
}

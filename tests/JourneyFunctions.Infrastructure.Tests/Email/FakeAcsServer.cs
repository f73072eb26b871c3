using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Infrastructure.Email;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Infrastructure.Tests.Email;

/// <summary>What the fake service received: the request and whether its HMAC signature checked out.</summary>
internal sealed record AcsRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body, bool SignatureValid)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>A scripted answer: status, headers and a JSON body.</summary>
internal sealed record AcsReply(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// An in-process stand-in for the ACS Email data plane on 127.0.0.1 (Kestrel). It recomputes the HMAC-SHA256
/// signature of every request exactly as ACS documents it (string to sign "VERB\npath?query\ndate;host;hash", the
/// content hash checked against the body) and answers 401 when it does not match; then plays the scripted replies
/// for sends and status polls, defaulting to 202 Accepted / Succeeded.
/// </summary>
internal sealed class FakeAcsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AcsReply> _sendReplies = new();
    private readonly ConcurrentQueue<AcsReply> _pollReplies = new();
    private readonly ConcurrentDictionary<string, bool> _operations = new(StringComparer.OrdinalIgnoreCase);
    private int _loseAcceptances;

    private readonly string? _bearerToken;

    private FakeAcsServer(WebApplication app, byte[] key, string? bearerToken)
    {
        _app = app;
        AccessKey = key;
        _bearerToken = bearerToken;
    }

    public byte[] AccessKey { get; }

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<AcsRequest> Requests { get; } = new();

    public string ConnectionString => $"endpoint={Endpoint};accesskey={Convert.ToBase64String(AccessKey)}";

    /// <param name="certificate">Serve HTTPS with this certificate (bearer tokens are only sent over TLS).</param>
    /// <param name="bearerToken">Accept this Entra ID token (Authorization: Bearer) instead of the HMAC signature.</param>
    public static async Task<FakeAcsServer> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, string? bearerToken = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeAcsServer(app, RandomNumberGenerator.GetBytes(32), bearerToken);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public void EnqueueSend(params AcsReply[] replies)
    {
        foreach (var reply in replies)
        {
            _sendReplies.Enqueue(reply);
        }
    }

    /// <summary>The operation ids the service has accepted (a repeated send of one of them answers 409 Conflict).</summary>
    public ICollection<string> Operations => _operations.Keys;

    /// <summary>
    /// The next <paramref name="count"/> sends are accepted (the operation exists) but the connection drops before
    /// the 202 reaches the client: the lost acceptance a retry must not turn into a failure or a second email.
    /// </summary>
    public void LoseNextAcceptances(int count = 1) => Interlocked.Exchange(ref _loseAcceptances, count);

    public void EnqueuePoll(params AcsReply[] replies)
    {
        foreach (var reply in replies)
        {
            _pollReplies.Enqueue(reply);
        }
    }

    public static AcsReply Accepted(string id, string? location = null, int? retryAfter = null)
    {
        var headers = new Dictionary<string, string>();
        if (location is not null)
        {
            headers["Operation-Location"] = location;
        }

        if (retryAfter is not null)
        {
            headers["retry-after"] = retryAfter.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new AcsReply(202, $$"""{"id":"{{id}}","status":"Running"}""", headers);
    }

    public static AcsReply Error(int status, string code, string message, int? retryAfter = null) =>
        new(status, $$$"""{"error":{"code":"{{{code}}}","message":"{{{message}}}"}}""",
            retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var pathAndQuery = context.Request.Path + context.Request.QueryString;
        var valid = _bearerToken is null
            ? SignatureValid(context.Request, pathAndQuery, Encoding.UTF8.GetBytes(body))
            : context.Request.Headers.Authorization.ToString() == "Bearer " + _bearerToken;
        Requests.Enqueue(new AcsRequest(
            context.Request.Method,
            pathAndQuery,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            valid));

        if (!valid)
        {
            await WriteAsync(context, Error(401, "Denied", "Denied by the resource provider: the HMAC signature does not match."));
            return;
        }

        if (context.Request.Method == "POST" && context.Request.Path == "/emails:send")
        {
            var operationId = context.Request.Headers["Operation-Id"].ToString();
            if (_sendReplies.TryDequeue(out var reply))
            {
                if (reply.Status == 202 && reply.Body is not null && JsonDocument.Parse(reply.Body).RootElement.TryGetProperty("id", out var scripted))
                {
                    _operations.TryAdd(scripted.GetString()!, true);
                }

                await WriteAsync(context, reply);
                return;
            }

            // As the service does for an Operation-Id it already has: the send is refused with 409 Conflict
            // (error code in the body and x-ms-error-code); the operation itself stays readable under its id.
            if (operationId.Length > 0 && !_operations.TryAdd(operationId, true))
            {
                var conflict = Error(409, "Conflict", $"An operation with id {operationId} already exists.");
                await WriteAsync(context, conflict with { Headers = new Dictionary<string, string> { ["x-ms-error-code"] = "Conflict" } });
                return;
            }

            if (Interlocked.Decrement(ref _loseAcceptances) >= 0)
            {
                context.Abort();
                return;
            }

            await WriteAsync(context, Accepted(operationId.Length > 0 ? operationId : Guid.NewGuid().ToString("D")));
            return;
        }

        if (context.Request.Method == "GET" && context.Request.Path.StartsWithSegments("/emails/operations", out var rest))
        {
            var id = rest.Value!.Trim('/');
            await WriteAsync(context, _pollReplies.TryDequeue(out var reply) ? reply
                : _operations.ContainsKey(id) ? new AcsReply(200, $$"""{"id":"{{id}}","status":"Succeeded"}""")
                : Error(404, "NotFound", $"No operation with id {id}."));
            return;
        }

        await WriteAsync(context, Error(404, "NotFound", "no such route"));
    }

    private bool SignatureValid(HttpRequest request, string pathAndQuery, byte[] body)
    {
        var date = request.Headers["x-ms-date"].ToString();
        var contentHash = request.Headers["x-ms-content-sha256"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        if (date.Length == 0 || contentHash != Convert.ToBase64String(SHA256.HashData(body))
            || !DateTimeOffset.TryParse(date, out var at) || (DateTimeOffset.UtcNow - at).Duration() > TimeSpan.FromMinutes(15))
        {
            return false;
        }

        // Recomputed independently of the sender's policy: the documented string to sign and header format.
        var stringToSign = $"{request.Method}\n{pathAndQuery}\n{date};{request.Host.Value};{contentHash}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(AccessKey, Encoding.UTF8.GetBytes(stringToSign)));
        return authorization == $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}";
    }

    private static async Task WriteAsync(HttpContext context, AcsReply reply)
    {
        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body);
        }
    }
}

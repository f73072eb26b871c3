using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// Signs each request the way Azure Communication Services documents for access keys ("Sign an HTTP request"):
/// <c>x-ms-date</c> (RFC 1123), <c>x-ms-content-sha256</c> (base64 SHA-256 of the body, of nothing for a GET) and
/// <c>Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=...</c>, the
/// signature being base64 HMAC-SHA256, keyed with the decoded access key, of
/// <c>"VERB\n{path and query}\n{x-ms-date};{host};{x-ms-content-sha256}"</c>. It runs per retry, so every attempt
/// carries a fresh date.
/// </summary>
public sealed class AcsHmacAuthenticationPolicy(byte[] accessKey, TimeProvider? timeProvider = null) : HttpPipelineSynchronousPolicy
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var contentHash = Convert.ToBase64String(HashContent(request.Content));
        var date = _time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        var uri = request.Uri.ToUri();
        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue("Authorization", Authorization(accessKey, request.Method.Method, uri.PathAndQuery, date, uri.Authority, contentHash));
    }

    /// <summary>The Authorization header value for the given request parts (also used by the tests' fake service).</summary>
    public static string Authorization(byte[] accessKey, string method, string pathAndQuery, string date, string host, string contentHash)
    {
        var stringToSign = $"{method.ToUpperInvariant()}\n{pathAndQuery}\n{date};{host};{contentHash}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accessKey, Encoding.UTF8.GetBytes(stringToSign)));
        return $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}";
    }

    private static byte[] HashContent(RequestContent? content)
    {
        if (content is null)
        {
            return SHA256.HashData([]);
        }

        using var buffer = new MemoryStream();
        content.WriteTo(buffer, CancellationToken.None);
        return SHA256.HashData(buffer.ToArray());
    }
}

using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;

namespace JourneyFunctions.Api;

/// <summary>
/// Event Grid's dedicated secret: <c>Authorization: Bearer &lt;secret&gt;</c>, which an Event Grid subscription sends
/// as a secret static delivery header (<c>deliveryAttributeMappings</c> with <c>isSecret: true</c>), so the secret
/// never sits in the endpoint URL, in logs or in the portal. Only that header counts: a key in <c>?code=</c>,
/// <c>X-Api-Key</c> or <c>x-functions-key</c> is not looked at, and the admin API key is not this secret. The
/// comparison is constant-time. With no secret configured every request is refused.
/// </summary>
public sealed class EventGridSecretAuthenticator : IEventGridAuthenticator
{
    /// <summary>The scheme of the header Event Grid is configured to send.</summary>
    public const string Scheme = "Bearer";

    private readonly byte[]? _secret;
    private readonly string _setting;

    /// <param name="secret">The configured secret; null or blank refuses every request.</param>
    /// <param name="setting">The setting that holds it, named in the problem when it is missing.</param>
    public EventGridSecretAuthenticator(string? secret, string setting)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(setting);
        _setting = setting;
        _secret = string.IsNullOrWhiteSpace(secret) ? null : Encoding.UTF8.GetBytes(secret.Trim());
    }

    public Task<ProblemHttpResult?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_secret is null)
        {
            return Refuse(request, $"is refused: no Event Grid secret is configured ({_setting})");
        }

        if (Presented(request) is not { } presented)
        {
            return Refuse(request, "is required: Event Grid sends 'Authorization: Bearer <secret>' as a secret delivery header of the subscription");
        }

        return SecretComparison.Matches(_secret, presented)
            ? Task.FromResult<ProblemHttpResult?>(null)
            : Refuse(request, "is not the Event Grid secret");
    }

    /// <summary>The credential of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? Presented(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        return authorization.Length > Scheme.Length + 1 && authorization.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase)
            ? authorization[(Scheme.Length + 1)..].Trim() is { Length: > 0 } value ? value : null
            : null;
    }

    private static Task<ProblemHttpResult?> Refuse(HttpRequest request, string message)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = Scheme;
        return Task.FromResult<ProblemHttpResult?>(ApiProblems.Unauthorized("Authorization", message, "Event Grid's credential is required."));
    }
}

using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Api;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Security;

/// <summary>
/// The keys the host accepts, resolved once at start: the configured <see cref="JourneyHostOptions.ApiKey"/>, or in
/// Development the well-known <see cref="JourneyHostOptions.DevelopmentApiKey"/>; anywhere else a missing key, or the
/// well-known one configured, stops the host from starting rather than leaving the API open. The admin key is read
/// from headers only: a key in the query string is refused (URLs are logged by proxies and browsers).
/// </summary>
public sealed class ApiKeys
{
    private readonly byte[] _apiKey;

    public ApiKeys(IOptions<JourneyHostOptions> options, IHostEnvironment environment)
    {
        var o = options.Value;
        var key = string.IsNullOrWhiteSpace(o.ApiKey) ? null : o.ApiKey.Trim();
        if (key is null)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"Host:ApiKey is not set. Set it (JOURNEYS_Host__ApiKey, or --api-key), or run in Development to use '{JourneyHostOptions.DevelopmentApiKey}'.");
            }

            key = JourneyHostOptions.DevelopmentApiKey;
            IsDevelopmentDefault = true;
        }
        else if (!environment.IsDevelopment() && string.Equals(key, JourneyHostOptions.DevelopmentApiKey, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Host:ApiKey is the well-known Development key '{JourneyHostOptions.DevelopmentApiKey}', which anyone can guess; set a random one outside Development (e.g. openssl rand -base64 32).");
        }

        ApiKey = key;
        _apiKey = Encoding.UTF8.GetBytes(ApiKey);
    }

    public string ApiKey { get; }

    /// <summary>True when no key was configured and the Development default is in use (the banner says so).</summary>
    public bool IsDevelopmentDefault { get; }

    public bool IsApiKey(string? candidate) => Matches(_apiKey, candidate);

    /// <summary>
    /// The admin key a request presents in a header: <c>X-Api-Key</c>, else <c>Authorization: Bearer</c>, else the
    /// Functions-style <c>x-functions-key</c>, so the same client works against both hosts. Never the query string.
    /// </summary>
    public static string? PresentedInHeaders(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && !string.IsNullOrEmpty(header))
        {
            return header.ToString();
        }

        if (request.Headers.Authorization.ToString() is { Length: > 7 } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        return request.Headers.TryGetValue("x-functions-key", out var functionsKey) && !string.IsNullOrEmpty(functionsKey) ? functionsKey.ToString() : null;
    }

    /// <summary>
    /// The key a request presents: <see cref="PresentedInHeaders"/>, else the Functions-style <c>?code=</c>. Only the
    /// Event Grid endpoint reads it (Event Grid carries its credential in the subscription URL).
    /// </summary>
    public static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && !string.IsNullOrEmpty(header))
        {
            return header.ToString();
        }

        if (request.Headers.Authorization.ToString() is { Length: > 7 } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        if (request.Headers.TryGetValue("x-functions-key", out var functionsKey) && !string.IsNullOrEmpty(functionsKey))
        {
            return functionsKey.ToString();
        }

        return request.Query.TryGetValue("code", out var code) && !string.IsNullOrEmpty(code) ? code.ToString() : null;
    }

    private static bool Matches(byte[] expected, string? candidate) => SecretComparison.Matches(expected, candidate);
}

/// <summary>
/// Refuses a request to a route of <see cref="ApiAccess.ApiKey"/> access without the API key, with a 401
/// problem that says which header to send. It runs after routing and before the endpoint, so nothing of the request
/// (body, services) is touched for a caller without the key. A request without a key may instead carry the dashboard's
/// session cookie (<see cref="DashboardSessions"/>); a change made with the cookie must also carry its CSRF token.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeys keys, DashboardSessions sessions)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiRoute>()?.Access != ApiAccess.ApiKey)
        {
            await next(context);
            return;
        }

        var presented = ApiKeys.PresentedInHeaders(context.Request);
        if (presented is null && context.Request.Query.ContainsKey("code"))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ApiProblems.Unauthorized("code", "is not accepted here: a key in the URL ends up in logs; send it in the X-Api-Key header (or Authorization: Bearer <key>)").ExecuteAsync(context);
            return;
        }

        if (presented is null)
        {
            switch (sessions.Check(context.Request))
            {
                case DashboardSessionCheck.Valid:
                    await next(context);
                    return;
                case DashboardSessionCheck.MissingCsrf:
                    await ApiProblems.Field(StatusCodes.Status403Forbidden, "A change needs the session's CSRF token.", DashboardSessions.CsrfHeader,
                        "is missing or wrong: a change made with the dashboard's session cookie must send the token the sign-in returned").ExecuteAsync(context);
                    return;
                case DashboardSessionCheck.Expired:
                    await ApiProblems.Unauthorized(DashboardSessions.CookieName, "names no live session (signed out or expired): sign in again", "The session has ended.").ExecuteAsync(context);
                    return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ApiProblems.Unauthorized("X-Api-Key", "is required: send the API key in the X-Api-Key header (or Authorization: Bearer <key>)").ExecuteAsync(context);
            return;
        }

        if (!keys.IsApiKey(presented))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await ApiProblems.Unauthorized("X-Api-Key", "is not a valid API key").ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}

/// <summary>Adds the API key check to the pipeline.</summary>
public static class ApiKeyEndpointExtensions
{
    /// <summary>Checks the key on marked endpoints; call after routing, before the endpoints run.</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyMiddleware>();
}

using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JourneyFunctions.Api;

/// <summary>
/// Ids in routes (<c>contacts/{id}</c>, <c>journeys/{id}/...</c>). An id may hold <c>/</c> (Shopify's
/// <c>gid://shopify/Customer/7008</c>): the caller percent-encodes it (<c>gid%3A%2F%2Fshopify%2FCustomer%2F7008</c>).
/// Kestrel decodes a path except <c>%2F</c>, so the route value alone cannot tell an encoded slash from a literal
/// <c>%2F</c>; the built-in host therefore reads the id segment from the raw request target and decodes it once. Every
/// id is then held to <see cref="IdLimits"/> (400 naming <c>id</c>), so storage never sees a key it would refuse.
/// </summary>
public static class ApiIds
{
    /// <summary>A 400 naming <paramref name="field"/> when <paramref name="id"/> breaks <see cref="IdLimits"/>; else null.</summary>
    public static ProblemHttpResult? Check(string? id, string field = "id") =>
        IdLimits.Problem(id) is { } problem ? ApiProblems.BadRequest(field, problem) : null;

    /// <summary>
    /// The <c>{id}</c> of <paramref name="route"/> decoded exactly once from the raw request target, when the server
    /// gives one that lines up with the matched path; otherwise <paramref name="routeValue"/> as routing bound it.
    /// </summary>
    public static string FromRawTarget(HttpContext context, ApiRoute route, string routeValue)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return routeValue;
        }

        var query = raw.IndexOfAny(['?', '#']);
        var rawSegments = (query < 0 ? raw : raw[..query]).Split('/');
        var pathSegments = (context.Request.PathBase + context.Request.Path).Value?.Split('/') ?? [];
        var template = route.Path.Split('/');
        var fromEnd = template.Length - Array.IndexOf(template, "{id}");
        if (fromEnd > template.Length || rawSegments.Length != pathSegments.Length || rawSegments.Length < fromEnd)
        {
            return routeValue;
        }

        var index = rawSegments.Length - fromEnd;
        if (!string.Equals(pathSegments[index], routeValue, StringComparison.Ordinal))
        {
            return routeValue;
        }

        try
        {
            return Uri.UnescapeDataString(rawSegments[index]);
        }
        catch (UriFormatException)
        {
            return routeValue;
        }
    }
}

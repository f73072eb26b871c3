using JourneyFunctions.Api;
using Microsoft.AspNetCore.Http;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// The <c>{id}</c> of a route, decoded as the built-in host decodes it. The Functions host matches routes with ASP.NET
/// Core routing, which, like Kestrel, decodes a path except <c>%2F</c>; the <c>string id</c> it binds for
/// <c>/api/contacts/gid%3A%2F%2Fshopify%2FCustomer%2F7008</c> is therefore <c>gid:%2F%2Fshopify%2FCustomer%2F7008</c>.
/// The request the worker gets (ASP.NET Core integration) carries the raw target, so the id is read from it and decoded
/// once (<see cref="ApiIds.FromRawTarget"/>), the same code the built-in host's endpoint filter runs: an id holding
/// <c>/</c> (Shopify's <c>gid://shopify/Customer/7008</c>) reaches every route as itself on both hosts.
/// </summary>
public static class RouteIds
{
    public static string Decode(HttpRequest request, ApiRoute route, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ApiIds.FromRawTarget(request.HttpContext, route, id);
    }
}

using JourneyFunctions.Api.Storefronts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace JourneyFunctions.Api;

/// <summary>Maps a row of <see cref="ApiRoutes"/> to its handler, with the row's name, summary, tag and access.</summary>
public static class ApiRouteBuilderExtensions
{
    public static RouteHandlerBuilder MapApiRoute(this IEndpointRouteBuilder app, ApiRoute route, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(route);
        var builder = app.MapMethods(route.Path, [route.Method.ToUpperInvariant()], handler)
            .WithName(route.Name)
            .WithSummary(route.Summary)
            .WithTags(route.Tag)
            .WithMetadata(route);
        if (route.Template.Contains("{id}", StringComparison.Ordinal))
        {
            // The handler's id parameter gets the id decoded once from the raw target (an encoded '/' included).
            builder.AddEndpointFilterFactory((factory, next) =>
            {
                var position = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.Name == "id" && p.ParameterType == typeof(string));
                return position < 0
                    ? next
                    : invocation =>
                    {
                        if (invocation.Arguments[position] is string bound)
                        {
                            invocation.Arguments[position] = ApiIds.FromRawTarget(invocation.HttpContext, route, bound);
                        }

                        return next(invocation);
                    };
            });
        }

        return builder;
    }

    /// <summary>Every area of the API: what both hosts serve below <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapJourneyApi(this IEndpointRouteBuilder app) =>
        app.MapEventsApi().MapContactsApi().MapContactExportApi().MapJourneysApi().MapJourneyWaitingApi().MapTemplatePreviewApi().MapUnsubscribeApi().MapEventGridApi().MapStorefrontsApi();
}

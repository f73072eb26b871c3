using JourneyFunctions.Api;
using JourneyFunctions.Host.Clock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace JourneyFunctions.Host;

/// <summary>The host's answer to <c>GET /health</c>.</summary>
public sealed record HealthStatus(string Status, DateTimeOffset At);

/// <summary><c>GET /health</c>: liveness for load balancers and the CLI; no key, no data.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (TimeProvider time) => TypedResults.Ok(new HealthStatus("healthy", time.GetUtcNow())))
            .WithName("Health")
            .WithSummary("Liveness: 200 while the host runs.")
            .WithTags("Health");
        return app;
    }
}

/// <summary>Maps every area of the API; both the serve command and the tests call this one method.</summary>
public static class JourneyApis
{
    public static IEndpointRouteBuilder MapJourneyApis(this IEndpointRouteBuilder app)
    {
        app.MapHealthApi();
        app.MapJourneyApi();
        app.MapDevClockApi();
        return app;
    }
}

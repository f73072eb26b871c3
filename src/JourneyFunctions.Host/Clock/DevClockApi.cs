using JourneyFunctions.Api;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Time;
using JourneyFunctions.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JourneyFunctions.Host.Clock;

/// <summary>The virtual clock as <c>GET /api/dev/clock</c> and <c>POST /api/dev/clock/advance</c> answer it.</summary>
/// <param name="Mode">Always <c>virtual</c> (the endpoints answer 404 on the system clock).</param>
/// <param name="Now">The host's time now (UTC).</param>
/// <param name="Offset">How far ahead of the machine's clock it is, ISO 8601 (e.g. PT1H).</param>
/// <param name="NextTimerAt">The earliest time a waiting run wakes up, or null when no run waits on a timer.</param>
/// <param name="TimersFired">For an advance: how many due timers the host fired before answering.</param>
public sealed record DevClockView(string Mode, DateTimeOffset Now, string Offset, DateTimeOffset? NextTimerAt, int? TimersFired = null);

/// <summary>The body of <c>POST /api/dev/clock/advance</c>: exactly one of <see cref="By"/> and <see cref="ToNextTimer"/>.</summary>
public sealed record DevClockAdvance
{
    /// <summary>An ISO 8601 duration to move forward by, e.g. PT1H or P1D.</summary>
    public string? By { get; init; }

    /// <summary>True: move to the earliest time a waiting run wakes up (nothing moves when no run waits).</summary>
    public bool? ToNextTimer { get; init; }
}

/// <summary>
/// The Development-only control of the host's <see cref="VirtualClock"/>, so a new user sees what an hour-long wait
/// does without waiting the hour. Both endpoints need the API key (401 without, 403 with a wrong one) and answer 404
/// outside Development or when the host runs on the system clock (<c>journeys serve --clock virtual</c> turns it
/// on). An advance fires every timer that fell due before it answers, so the emails they send are in the outbox when
/// the call returns; a due email outside its send window is deferred as always, and the answer's
/// <c>nextTimerAt</c> says when it will go out.
/// </summary>
public static class DevClockApi
{
    public const string Route = "/api/dev/clock";

    public static IEndpointRouteBuilder MapDevClockApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Development");
        group.MapGet(string.Empty, GetAsync)
            .WithName("GetDevClock")
            .WithSummary("The virtual clock's time and the next timer any run waits for (Development, --clock virtual).");
        group.MapPost("/advance", AdvanceAsync)
            .WithName("AdvanceDevClock")
            .WithSummary("Moves the virtual clock forward and fires what fell due (Development, --clock virtual).");
        return app;
    }

    public static async Task<Results<Ok<DevClockView>, ProblemHttpResult>> GetAsync(HttpRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refuse(request, services, out var clock) is { } refused)
        {
            return refused;
        }

        return TypedResults.Ok(new DevClockView("virtual", clock.GetUtcNow(), IsoText(clock.Offset), await NextTimerAsync(services, cancellationToken)));
    }

    public static async Task<Results<Ok<DevClockView>, ProblemHttpResult>> AdvanceAsync(HttpRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refuse(request, services, out var clock) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadBytesAsync(request, 4096, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (advance, invalid) = JsonBody.Deserialize<DevClockAdvance>(body);
        if (invalid is not null)
        {
            return invalid;
        }

        switch (advance!)
        {
            case { By: not null, ToNextTimer: true }:
                return ApiProblems.BadRequest("$.by", "give either by or toNextTimer, not both");
            case { By: { } text }:
                if (!IsoDuration.TryParse(text, out var duration, out var error))
                {
                    return ApiProblems.BadRequest("$.by", error ?? $"'{text}' is not an ISO 8601 duration (e.g. PT1H)");
                }

                // Calendar units move by the UTC calendar (the clock has no zone); P1D is 24 hours.
                var now = clock.GetUtcNow();
                var by = duration.AddTo(now, TimeZoneInfo.Utc) - now;
                if (duration.Negative || by <= TimeSpan.Zero)
                {
                    return ApiProblems.BadRequest("$.by", $"'{text}' does not move the clock forward: the clock never goes back (give e.g. PT1H)");
                }

                if (by > VirtualClock.MaxAdvance)
                {
                    return ApiProblems.BadRequest("$.by", $"'{text}' is more than {VirtualClock.MaxAdvance.TotalDays:0} days; advance in smaller steps");
                }

                clock.Advance(by);
                break;
            case { ToNextTimer: true }:
                if (await NextTimerAsync(services, cancellationToken) is { } next)
                {
                    if (next - clock.GetUtcNow() > VirtualClock.MaxAdvance)
                    {
                        return ApiProblems.BadRequest("$.toNextTimer", $"the next timer ({next:O}) is more than {VirtualClock.MaxAdvance.TotalDays:0} days ahead; advance with by");
                    }

                    clock.AdvanceTo(next);
                }

                break;
            default:
                return ApiProblems.BadRequest("$.by", "give by (an ISO 8601 duration such as PT1H) or \"toNextTimer\": true");
        }

        var fired = await services.GetRequiredService<JourneyRunner>().FireAllDueTimersAsync(cancellationToken);
        return TypedResults.Ok(new DevClockView("virtual", clock.GetUtcNow(), IsoText(clock.Offset), await NextTimerAsync(services, cancellationToken), fired.Handled));
    }

    /// <summary>404 outside Development or on the system clock; 401 without the API key, 403 with a wrong one.</summary>
    private static ProblemHttpResult? Refuse(HttpRequest request, IServiceProvider services, out VirtualClock clock)
    {
        clock = null!;
        if (!services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            return ApiProblems.NotFound("Route", "$", "there is no such endpoint");
        }

        var presented = ApiKeys.PresentedInHeaders(request);
        if (presented is null)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Unauthorized("X-Api-Key", "is required: send the API key in the X-Api-Key header (or Authorization: Bearer <key>)");
        }

        if (!services.GetRequiredService<ApiKeys>().IsApiKey(presented))
        {
            return ApiProblems.Field(StatusCodes.Status403Forbidden, "The API key is not accepted.", "X-Api-Key", "is not this host's API key");
        }

        if (services.GetRequiredService<TimeProvider>() is not VirtualClock virtualClock)
        {
            return ApiProblems.NotFound("Virtual clock", "$", "this host runs on the system clock; start it with journeys serve --clock virtual (Development only) to move time forward");
        }

        clock = virtualClock;
        return null;
    }

    /// <summary>The earliest wake-up of a run waiting on a timer, over every published journey.</summary>
    private static async Task<DateTimeOffset?> NextTimerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var runs = services.GetRequiredService<IRunStore>();
        DateTimeOffset? next = null;
        foreach (var entry in await services.GetRequiredService<IJourneyCatalog>().GetLatestAsync(cancellationToken))
        {
            await foreach (var run in runs.ListActiveForJourneyAsync(entry.Journey.Id, cancellationToken))
            {
                if (run is { Status: RunStatus.Waiting, Wait.Until: { } until } && (next is null || until < next))
                {
                    next = until;
                }
            }
        }

        return next;
    }

    /// <summary>The offset as an ISO 8601 duration in whole seconds (PT1H, P1D): the clock's ticks are noise to a reader.</summary>
    private static string IsoText(TimeSpan span) => System.Xml.XmlConvert.ToString(TimeSpan.FromSeconds(Math.Round(span.TotalSeconds)));
}

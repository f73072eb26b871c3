using System.Globalization;
using JourneyFunctions.Core.Ports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace JourneyFunctions.Api;

/// <summary>A run waiting at a step, as the dashboard lists it when a marketer clicks the step.</summary>
public sealed record WaitingRun(string ContactId, string RunId, string? Key, int Version, DateTimeOffset StartedAt, DateTimeOffset? WaitingUntil);

/// <summary>The runs of a journey that wait at one step now: at most <c>max</c>, <see cref="More"/> when there are others.</summary>
public sealed record WaitingRuns(string JourneyId, string StepId, IReadOnlyList<WaitingRun> Runs, bool More);

/// <summary>
/// <c>GET /api/journeys/{id}/waiting?step=</c>: who waits at a step now (the dashboard's drill-down from a step's
/// "waiting now" count). It reads the journey's active runs, so it is a per-click query, not a figure of the page.
/// </summary>
public static class JourneyWaitingApi
{
    public const int DefaultMax = 50;
    public const int MaxMax = 500;

    public static IEndpointRouteBuilder MapJourneyWaitingApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.ListWaitingRuns, ListAsync);
        return app;
    }

    public static async Task<Results<Ok<WaitingRuns>, ProblemHttpResult>> ListAsync(string id, string? step, string? max, IJourneyStore store, IRunStore runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runs);
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        if (string.IsNullOrWhiteSpace(step))
        {
            return ApiProblems.BadRequest("step", "is required: the id of the step whose waiting runs to list");
        }

        var limit = DefaultMax;
        if (max is not null && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxMax))
        {
            return ApiProblems.BadRequest("max", $"'{max}' is not a number from 1 to {MaxMax}");
        }

        var journey = await store.GetAsync(id, null, cancellationToken);
        if (journey is null)
        {
            return ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published");
        }

        if (!journey.Steps.Any(s => string.Equals(s.Id, step, StringComparison.Ordinal)))
        {
            return ApiProblems.NotFound("Step", "step", $"journey '{id}' has no step '{step}'");
        }

        var found = new List<WaitingRun>();
        var more = false;
        await foreach (var run in runs.ListActiveForJourneyAsync(id, cancellationToken))
        {
            if (!string.Equals(run.StepId, step, StringComparison.Ordinal))
            {
                continue;
            }

            if (found.Count == limit)
            {
                more = true;
                break;
            }

            found.Add(new WaitingRun(run.ContactId, run.RunId, run.Key, run.Version, run.StartedAt, run.Wait?.Until));
        }

        return TypedResults.Ok(new WaitingRuns(id, step, found, more));
    }
}

using System.Text.Json;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Api;

/// <summary>What <c>POST /api/events</c> accepted: the event ids in request order (a storefront can log them).</summary>
public sealed record EventsAccepted(IReadOnlyList<string> EventIds);

/// <summary>
/// <c>POST /api/events</c>: one event object or an array batch. Events are validated as a whole (a 400 accepts none)
/// and queued; the runner routes them per contact in order. The <c>Idempotency-Key</c> header gives events without an
/// <c>id</c> stable ids, so a storefront retry of the same request is not a second event.
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.PostEvents, PostAsync);
        return app;
    }

    public static async Task<Results<Accepted<EventsAccepted>, ProblemHttpResult>> PostAsync(
        HttpRequest request,
        EventIngestService ingest,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(request, options.Value.MaxEventBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var first = JsonBody.FirstToken(body);
        IReadOnlyList<EventSubmission> submissions;
        var isBatch = first == JsonTokenType.StartArray;
        if (isBatch)
        {
            var (batch, batchProblem) = JsonBody.Deserialize<List<EventSubmission?>>(body);
            if (batchProblem is not null)
            {
                return batchProblem;
            }

            var nullAt = batch!.FindIndex(e => e is null);
            if (nullAt >= 0)
            {
                return ApiProblems.BadRequest($"$[{nullAt}]", "must be an event object, not null");
            }

            submissions = batch!.Select(e => e!).ToList();
        }
        else if (first == JsonTokenType.StartObject)
        {
            var (single, singleProblem) = JsonBody.Deserialize<EventSubmission>(body);
            if (singleProblem is not null)
            {
                return singleProblem;
            }

            submissions = [single!];
        }
        else
        {
            var (_, malformed) = JsonBody.Deserialize<EventSubmission>(body);
            return malformed ?? ApiProblems.BadRequest("$", "send an event object or an array of event objects");
        }

        var idempotencyKey = request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrWhiteSpace(key) ? key.ToString().Trim() : null;
        var result = await ingest.IngestAsync(submissions, idempotencyKey, isBatch, cancellationToken);
        return TypedResults.Accepted((string?)null, new EventsAccepted(result.EventIds));
    }
}

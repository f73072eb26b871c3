using System.Globalization;
using System.Text;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Api;

/// <summary>The answer to a publish: the journey id and the version runs started from now on will pin.</summary>
public sealed record JourneyPublished(string Id, int Version, bool Unchanged);

/// <summary>The answer to pause and resume.</summary>
public sealed record JourneyPauseState(string Id, bool Paused);

/// <summary>
/// Journeys: list, publish (validated; every problem returned with its JSON path), read a version, pause and resume,
/// and per-step stats. Publishing never changes runs in flight: each run keeps the version it started with.
/// </summary>
public static class JourneysApi
{
    public static IEndpointRouteBuilder MapJourneysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/journeys").RequireApiKey().WithTags("Journeys");
        group.MapGet("/", ListAsync)
            .WithName("ListJourneys")
            .WithSummary("Published journeys: latest version, paused flag, stage and trigger.");
        group.MapPut("/{id}", PublishAsync)
            .WithName("PublishJourney")
            .WithSummary("Publish the JSON body as the journey's next version; 400 lists every validation problem with its JSON path.");
        group.MapGet("/{id}", GetAsync)
            .WithName("GetJourney")
            .WithSummary("The latest definition, or ?version=n.");
        group.MapPost("/{id}/pause", (string id, JourneyPublisher publisher, CancellationToken ct) => SetPausedAsync(id, true, publisher, ct))
            .WithName("PauseJourney")
            .WithSummary("Pause: no new entries; runs in flight hold at their next timer until resumed.");
        group.MapPost("/{id}/resume", (string id, JourneyPublisher publisher, CancellationToken ct) => SetPausedAsync(id, false, publisher, ct))
            .WithName("ResumeJourney")
            .WithSummary("Resume a paused journey; held runs continue.");
        group.MapGet("/{id}/stats", StatsAsync)
            .WithName("GetJourneyStats")
            .WithSummary("Per journey and per step: entered, waiting now, sent, exited, goals, conversion rate.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<JourneySummary>>> ListAsync(IJourneyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    public static async Task<Results<Ok<JourneyPublished>, Created<JourneyPublished>, ProblemHttpResult>> PublishAsync(
        string id,
        HttpRequest request,
        JourneyPublisher publisher,
        IOptions<JourneyHostOptions> options,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(request, options.Value.MaxJourneyBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        string json;
        try
        {
            json = new UTF8Encoding(false, true).GetString(body!);
        }
        catch (DecoderFallbackException)
        {
            return ApiProblems.BadRequest("$", "the body is not valid UTF-8");
        }

        var outcome = await publisher.PublishAsync(json, id, cancellationToken);
        if (!outcome.Succeeded)
        {
            return ValidationProblem(outcome.Errors);
        }

        var journey = outcome.Published!;
        var version = journey.Version ?? 1;
        var answer = new JourneyPublished(journey.Id, version, outcome.Unchanged);
        return version == 1 && !outcome.Unchanged
            ? TypedResults.Created($"/api/journeys/{Uri.EscapeDataString(journey.Id)}", answer)
            : TypedResults.Ok(answer);
    }

    public static async Task<Results<Ok<JourneyDefinition>, ProblemHttpResult>> GetAsync(string id, string? version, IJourneyStore store, CancellationToken cancellationToken)
    {
        int? wanted = null;
        if (version is not null)
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return ApiProblems.BadRequest("version", $"'{version}' is not a version number (1, 2, ...)");
            }

            wanted = n;
        }

        var journey = await store.GetAsync(id, wanted, cancellationToken);
        if (journey is null)
        {
            return wanted is null
                ? ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published")
                : ApiProblems.NotFound("Journey version", "version", $"journey '{id}' has no version {wanted}");
        }

        return TypedResults.Ok(journey);
    }

    public static async Task<Results<Ok<JourneyPauseState>, ProblemHttpResult>> SetPausedAsync(string id, bool paused, JourneyPublisher publisher, CancellationToken cancellationToken)
    {
        if (!await publisher.SetPausedAsync(id, paused, cancellationToken))
        {
            return ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published");
        }

        return TypedResults.Ok(new JourneyPauseState(id, paused));
    }

    public static async Task<Results<Ok<JourneyStats>, ProblemHttpResult>> StatsAsync(string id, JourneyStatsService stats, CancellationToken cancellationToken)
    {
        var result = await stats.GetAsync(id, cancellationToken);
        return result is null ? ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published") : TypedResults.Ok(result);
    }

    /// <summary>A 400 whose <c>errors</c> map each JSON path to its messages, and whose <c>problems</c> keep the codes.</summary>
    public static ProblemHttpResult ValidationProblem(IReadOnlyList<ValidationError> problems)
    {
        var grouped = problems
            .GroupBy(p => p.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(Describe).ToArray(), StringComparer.Ordinal);
        var details = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = problems.Count == 1 ? "The journey has a problem." : $"The journey has {problems.Count} problems.",
            Detail = string.Join("; ", problems.Select(p => $"{p.Path}: {Describe(p)}")),
            Type = ApiProblems.TypeFor(StatusCodes.Status400BadRequest),
        };
        details.Extensions["errors"] = grouped;
        details.Extensions["problems"] = problems;
        return TypedResults.Problem(details);
    }

    private static string Describe(ValidationError error) => error.Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"{error.Message} (line {line}, position {error.Column ?? 1})")
        : error.Message;
}

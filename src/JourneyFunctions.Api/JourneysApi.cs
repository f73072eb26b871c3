using System.Globalization;
using System.Text;
using JourneyFunctions.Core.Maps;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Validation;
using JourneyFunctions.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace JourneyFunctions.Api;

/// <summary>
/// The answer to a publish: the journey id and the version runs started from now on will pin, with the validation's
/// warnings (each with its JSON path, e.g. a webhook secret the configuration does not hold yet).
/// </summary>
public sealed record JourneyPublished(string Id, int Version, bool Unchanged)
{
    public IReadOnlyList<JourneyWarning> Warnings { get; init; } = [];
}

/// <summary>A validation warning: where (<paramref name="Path"/>), what kind (<paramref name="Code"/>) and why.</summary>
public sealed record JourneyWarning(string Path, string Code, string Message);

/// <summary>The answer to pause and resume.</summary>
public sealed record JourneyPauseState(string Id, bool Paused);

/// <summary>The map as JSON (<c>Accept: application/json</c>): the Mermaid text and the stats drawn on it.</summary>
public sealed record JourneyMapView(string JourneyId, int Version, string Mermaid, JourneyStats? Stats);

/// <summary>
/// Journeys: list, publish (validated; every problem returned with its JSON path), read a version, pause and resume,
/// per-step stats, the map (Mermaid with live counts) and the simulator. Publishing never changes runs in flight: each
/// run keeps the version it started with.
/// </summary>
public static class JourneysApi
{
    public static IEndpointRouteBuilder MapJourneysApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.ListJourneys, ListAsync);
        app.MapApiRoute(ApiRoutes.PublishJourney, PublishAsync);
        app.MapApiRoute(ApiRoutes.GetJourney, GetAsync);
        app.MapApiRoute(ApiRoutes.PauseJourney, (string id, JourneyPublisher publisher, CancellationToken ct) => SetPausedAsync(id, true, publisher, ct));
        app.MapApiRoute(ApiRoutes.ResumeJourney, (string id, JourneyPublisher publisher, CancellationToken ct) => SetPausedAsync(id, false, publisher, ct));
        app.MapApiRoute(ApiRoutes.GetJourneyStats, StatsAsync);
        app.MapApiRoute(ApiRoutes.GetJourneyMap, MapAsync);
        app.MapApiRoute(ApiRoutes.SimulateJourney, SimulateAsync);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<JourneySummary>>> ListAsync(IJourneyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    public static async Task<Results<Ok<JourneyPublished>, Created<JourneyPublished>, ProblemHttpResult>> PublishAsync(
        string id,
        HttpRequest request,
        JourneyPublisher publisher,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

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
        var answer = new JourneyPublished(journey.Id, version, outcome.Unchanged)
        {
            Warnings = [.. outcome.Warnings.Select(w => new JourneyWarning(w.Path, w.Code, w.Message))],
        };
        return version == 1 && !outcome.Unchanged
            ? TypedResults.Created($"/api/journeys/{Uri.EscapeDataString(journey.Id)}", answer)
            : TypedResults.Ok(answer);
    }

    public static async Task<Results<Ok<JourneyDefinition>, ProblemHttpResult>> GetAsync(string id, string? version, IJourneyStore store, CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        var (wanted, problem) = ParseVersion(version);
        if (problem is not null)
        {
            return problem;
        }

        var journey = await store.GetAsync(id, wanted, cancellationToken);
        return journey is null ? NotFound(id, wanted) : TypedResults.Ok(Redacted(journey));
    }

    public static async Task<Results<Ok<JourneyPauseState>, ProblemHttpResult>> SetPausedAsync(string id, bool paused, JourneyPublisher publisher, CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        if (!await publisher.SetPausedAsync(id, paused, cancellationToken))
        {
            return ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published");
        }

        return TypedResults.Ok(new JourneyPauseState(id, paused));
    }

    public static async Task<Results<Ok<JourneyStats>, ProblemHttpResult>> StatsAsync(string id, JourneyStatsService stats, CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        var result = await stats.GetAsync(id, cancellationToken);
        return result is null ? ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published") : TypedResults.Ok(result);
    }

    /// <summary>
    /// The journey as Mermaid with the live counts of <see cref="JourneyStatsService"/>, what <c>journeys map --url</c>
    /// prints. The representation follows <c>Accept</c>: <c>application/json</c> gives <see cref="JourneyMapView"/>,
    /// <c>text/vnd.mermaid</c> the chart under that type, anything else (a browser, curl) the chart as
    /// <c>text/plain</c>, readable as it is and ready to paste into a Mermaid block. The counts are the journey's
    /// (all versions); with <c>?version=</c> they are drawn on that version's steps.
    /// </summary>
    public static async Task<Results<Ok<JourneyMapView>, ContentHttpResult, ProblemHttpResult>> MapAsync(
        string id,
        string? version,
        HttpRequest request,
        IJourneyStore store,
        JourneyStatsService stats,
        CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        ArgumentNullException.ThrowIfNull(request);
        var (wanted, problem) = ParseVersion(version);
        if (problem is not null)
        {
            return problem;
        }

        var journey = await store.GetAsync(id, wanted, cancellationToken);
        if (journey is null)
        {
            return NotFound(id, wanted);
        }

        var counts = await stats.GetAsync(id, cancellationToken);
        var mermaid = JourneyMap.ToMermaid(journey, counts);
        request.HttpContext.Response.Headers.Vary = HeaderNames.Accept;
        return PreferredMapType(request) switch
        {
            "application/json" => TypedResults.Ok(new JourneyMapView(journey.Id, journey.Version ?? 1, mermaid, counts)),
            var type => TypedResults.Text(mermaid, type + "; charset=utf-8", Encoding.UTF8),
        };
    }

    /// <summary>
    /// Plays the scenario of the body through the journey with <see cref="ApiSimulator"/> (own in-memory services and
    /// virtual clock; nothing touches this host's storage, email or queue). 200 with the report whether or not the
    /// expectations held (<c>passed</c> says); 400 names the field of an invalid scenario or inline journey; 404 for an
    /// unknown journey; 429 when the simulation slots are taken; 503 when the run exceeds its time limit.
    /// </summary>
    public static async Task<Results<Ok<SimulationReport>, ProblemHttpResult>> SimulateAsync(
        string id,
        string? version,
        HttpRequest request,
        ApiSimulator simulator,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        ArgumentNullException.ThrowIfNull(simulator);
        var (wanted, versionProblem) = ParseVersion(version);
        if (versionProblem is not null)
        {
            return versionProblem;
        }

        var (body, problem) = await JsonBody.ReadBytesAsync(request, options.Value.MaxJourneyBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await simulator.RunAsync(id, wanted, body, cancellationToken);
        switch (outcome.Status)
        {
            case ApiSimulationStatus.Ran:
                return TypedResults.Ok(outcome.Report!);
            case ApiSimulationStatus.InvalidScenario:
                return ApiProblems.Fields(
                    StatusCodes.Status400BadRequest,
                    outcome.Problems.Count == 1 ? "The scenario has a problem." : $"The scenario has {outcome.Problems.Count} problems.",
                    outcome.Problems);
            case ApiSimulationStatus.InvalidJourney:
                return ValidationProblem(outcome.JourneyErrors);
            case ApiSimulationStatus.JourneyNotFound:
                return NotFound(id, wanted);
            case ApiSimulationStatus.Busy:
                request.HttpContext.Response.Headers.RetryAfter = "1";
                return ApiProblems.Field(
                    StatusCodes.Status429TooManyRequests,
                    "Too many simulations at once.",
                    "$",
                    $"this host runs at most {simulator.Limits.MaxConcurrent} simulations at a time; retry in a second");
            case ApiSimulationStatus.TimedOut:
                return ApiProblems.Field(
                    StatusCodes.Status503ServiceUnavailable,
                    "The simulation took too long.",
                    "$.runFor",
                    $"the simulation did not finish within {simulator.Limits.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; shorten runFor or the events");
            default:
                throw new InvalidOperationException($"Unknown simulation status {outcome.Status}.");
        }
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

    private static (int? Version, ProblemHttpResult? Problem) ParseVersion(string? version)
    {
        if (version is null)
        {
            return (null, null);
        }

        return int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? (n, null)
            : (null, ApiProblems.BadRequest("version", $"'{version}' is not a version number (1, 2, ...)"));
    }

    /// <summary>
    /// The definition without the literal credential of a webhook header (a version published before publishing
    /// refused them): such values never leave the host; <c>{{secret:NAME}}</c> references are shown as written.
    /// </summary>
    public static JourneyDefinition Redacted(JourneyDefinition journey)
    {
        ArgumentNullException.ThrowIfNull(journey);
        static bool Literal(KeyValuePair<string, string> h) => WebhookSecrets.IsSensitiveHeader(h.Key) && !WebhookSecrets.IsByReference(h.Value ?? string.Empty);
        if (!journey.Steps.Any(s => s is WebhookStep { Headers: { } headers } && headers.Any(Literal)))
        {
            return journey;
        }

        return journey with
        {
            Steps = journey.Steps.Select(s => s is WebhookStep { Headers: { } headers } hook
                ? hook with { Headers = headers.ToDictionary(h => h.Key, h => Literal(h) ? "(redacted)" : h.Value, StringComparer.OrdinalIgnoreCase) }
                : s).ToList(),
        };
    }

    private static ProblemHttpResult NotFound(string id, int? version) => version is null
        ? ApiProblems.NotFound("Journey", "id", $"no journey '{id}' is published")
        : ApiProblems.NotFound("Journey version", "version", $"journey '{id}' has no version {version}");

    /// <summary>The map's media type by the request's Accept, highest quality first; text/plain when nothing else fits.</summary>
    private static string PreferredMapType(HttpRequest request)
    {
        foreach (var accepted in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (accepted.Quality is 0)
            {
                continue;
            }

            if (accepted.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return "application/json";
            }

            if (accepted.MediaType.Equals("text/vnd.mermaid", StringComparison.OrdinalIgnoreCase))
            {
                return "text/vnd.mermaid";
            }

            if (accepted.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
                || accepted.MediaType.Equals("text/*", StringComparison.OrdinalIgnoreCase)
                || accepted.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            {
                return "text/plain";
            }
        }

        return "text/plain";
    }

    private static string Describe(ValidationError error) => error.Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"{error.Message} (line {line}, position {error.Column ?? 1})")
        : error.Message;
}

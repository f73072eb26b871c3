using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Time;
using JourneyFunctions.Core.Validation;
using JourneyFunctions.Infrastructure.Templates;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Simulation;

/// <summary>How a simulation request ended.</summary>
public enum ApiSimulationStatus
{
    /// <summary>It ran; <see cref="ApiSimulationOutcome.Report"/> says whether every expectation held.</summary>
    Ran,

    /// <summary>The scenario (or a bound) is wrong: <see cref="ApiSimulationOutcome.Problems"/> name the fields.</summary>
    InvalidScenario,

    /// <summary>The journey carried in the body does not validate: <see cref="ApiSimulationOutcome.JourneyErrors"/>.</summary>
    InvalidJourney,

    /// <summary>No journey (or no such version) is published under the id.</summary>
    JourneyNotFound,

    /// <summary>Every simulation slot is taken; try again shortly.</summary>
    Busy,

    /// <summary>The simulation took longer than <see cref="SimulationApiOptions.Timeout"/>.</summary>
    TimedOut,
}

/// <summary>The outcome of <see cref="ApiSimulator.RunAsync"/>; which members are set depends on <see cref="Status"/>.</summary>
public sealed record ApiSimulationOutcome(ApiSimulationStatus Status)
{
    public SimulationReport? Report { get; init; }

    /// <summary>Field (a JSON path such as <c>$.events[0].at</c>) and message, for an invalid scenario.</summary>
    public IReadOnlyList<(string Field, string Message)> Problems { get; init; } = [];

    /// <summary>Validation errors of an inline journey, their paths under <c>$.journey</c>.</summary>
    public IReadOnlyList<ValidationError> JourneyErrors { get; init; } = [];
}

/// <summary>
/// The simulator as a service of a running host (<c>POST /api/journeys/{id}/simulate</c>). The body is a scenario in
/// the format of <c>journeys/tests/*.scenario.json</c>; the journey under test is the published one with the id of the
/// URL, or the journey definition the body carries in <c>journey</c> (an object: a draft tried before publishing; it is
/// validated as publishing would and its id must be the URL's). A <c>journey</c> that is a string is the file path
/// of a scenario file and is ignored, so a scenario file can be posted as it is.
/// </summary>
/// <remarks>
/// Isolation: <see cref="JourneySimulator"/> builds its own container of in-memory stores, a recording email sender
/// and webhook client and a virtual clock for every run, so a simulation can never write to the host's storage, send
/// an email or enqueue an event. Only the templates folder and the published journey are read from the host.
/// Bounds (<see cref="SimulationApiOptions"/>): runFor and the number of events are refused up front; at most
/// <see cref="SimulationApiOptions.MaxConcurrent"/> simulations run at once (more get <see cref="ApiSimulationStatus.Busy"/>
/// at once, never a queue); a run stops after <see cref="SimulationApiOptions.MaxClockStops"/> clock stops (reported as
/// the report's error) or after <see cref="SimulationApiOptions.Timeout"/> of wall-clock time.
/// </remarks>
public sealed class ApiSimulator : IDisposable
{
    private readonly IJourneyStore _journeys;
    private readonly LiquidTemplateRenderer _templates;
    private readonly SimulationApiOptions _limits;
    private readonly SemaphoreSlim _slots;

    public ApiSimulator(IJourneyStore journeys, LiquidTemplateRenderer templates, IOptions<SimulationApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _journeys = journeys;
        _templates = templates;
        _limits = options.Value;
        _slots = new SemaphoreSlim(Math.Max(1, _limits.MaxConcurrent));
    }

    public SimulationApiOptions Limits => _limits;

    /// <summary>Simulations running now (for health and tests).</summary>
    public int Running => Math.Max(1, _limits.MaxConcurrent) - _slots.CurrentCount;

    /// <summary>Plays the scenario in <paramref name="body"/> (UTF-8 JSON) against journey <paramref name="journeyId"/>.</summary>
    /// <param name="journeyId">The journey id of the URL.</param>
    /// <param name="version">A published version, or null for the latest (ignored when the body carries the journey).</param>
    /// <param name="body">The scenario JSON.</param>
    /// <param name="cancellationToken">The request's token: a client that goes away stops the run.</param>
    public async Task<ApiSimulationOutcome> RunAsync(string journeyId, int? version, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(body.Span);
        }
        catch (DecoderFallbackException)
        {
            return Invalid("$", "the body is not valid UTF-8");
        }

        var (scenarioText, journeyText) = SplitInlineJourney(text);
        Scenario scenario;
        try
        {
            scenario = ScenarioFile.Parse(scenarioText);
        }
        catch (ScenarioException ex)
        {
            return new ApiSimulationOutcome(ApiSimulationStatus.InvalidScenario) { Problems = ex.Problems.Select(ToField).ToList() };
        }

        var bounds = new List<(string, string)>();
        if (IsoDuration.Parse(scenario.RunFor).Approximate() > _limits.MaxRunFor)
        {
            bounds.Add(("$.runFor", $"'{scenario.RunFor}' is longer than this host simulates ({Days(_limits.MaxRunFor)} days at most)"));
        }

        if (scenario.Events.Count > _limits.MaxEvents)
        {
            bounds.Add(("$.events", $"has {scenario.Events.Count} events; this host simulates at most {_limits.MaxEvents}"));
        }

        if (bounds.Count > 0)
        {
            return new ApiSimulationOutcome(ApiSimulationStatus.InvalidScenario) { Problems = bounds };
        }

        JourneyDefinition journey;
        if (journeyText is not null)
        {
            var validation = JourneyValidator.Validate(journeyText, _templates);
            if (validation.Errors.Count > 0 || validation.Journey is null)
            {
                return new ApiSimulationOutcome(ApiSimulationStatus.InvalidJourney)
                {
                    JourneyErrors = validation.Errors.Select(e => e with { Path = "$.journey" + e.Path.TrimStart('$'), Line = null, Column = null }).ToList(),
                };
            }

            if (!string.Equals(validation.Journey.Id, journeyId, StringComparison.Ordinal))
            {
                return Invalid("$.journey.id", $"'{validation.Journey.Id}' is not the journey of the URL ('{journeyId}')");
            }

            journey = validation.Journey;
        }
        else if (await _journeys.GetAsync(journeyId, version, cancellationToken) is { } published)
        {
            journey = published;
        }
        else
        {
            return new ApiSimulationOutcome(ApiSimulationStatus.JourneyNotFound);
        }

        // The same checks as journeys test: every name an expectation uses must exist in the journey, or the check could
        // never fail; a scripted event nothing listens to is a warning in the report.
        var checks = ScenarioChecks.Check(scenario, journey);
        if (checks.Errors.Count > 0)
        {
            return new ApiSimulationOutcome(ApiSimulationStatus.InvalidScenario) { Problems = checks.Errors.Select(ToField).ToList() };
        }

        if (!await _slots.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return new ApiSimulationOutcome(ApiSimulationStatus.Busy);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_limits.Timeout);
            var options = new SimulationOptions { TemplatesDirectory = _templates.Directory, MaxSteps = _limits.MaxClockStops, WallClockLimit = _limits.Timeout };
            var report = await JourneySimulator.RunAsync(journey, scenario, options, scenario.Name ?? "(request)", timeout.Token);

            // The simulator publishes the journey into its own empty store (as version 1); report the version tried.
            return new ApiSimulationOutcome(ApiSimulationStatus.Ran) { Report = report with { Version = journey.Version ?? report.Version, Warnings = checks.Warnings } };
        }
        catch (Exception ex) when (ex is SimulationTimedOutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ApiSimulationOutcome(ApiSimulationStatus.TimedOut);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>
    /// Takes an inline journey (a top-level <c>journey</c> object) out of the scenario text. The object is replaced by
    /// <c>null</c> followed by the line breaks it spanned, so the line numbers of scenario problems after it stay true.
    /// Text that is not well-formed JSON is returned whole: <see cref="ScenarioFile.Parse"/> reports it with its path.
    /// </summary>
    public static (string Scenario, string? Journey) SplitInlineJourney(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (text, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isJourney = reader.ValueTextEquals("journey"u8);
                reader.Read();
                if (isJourney && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var end = (int)reader.BytesConsumed;
                    var journey = Encoding.UTF8.GetString(bytes, start, end - start);
                    var breaks = new string('\n', journey.Count(c => c == '\n'));
                    var scenario = Encoding.UTF8.GetString(bytes, 0, start) + "null" + breaks + Encoding.UTF8.GetString(bytes, end, bytes.Length - end);
                    return (scenario, journey);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed: let the scenario reader say where.
        }

        return (text, null);
    }

    private static ApiSimulationOutcome Invalid(string field, string message) =>
        new(ApiSimulationStatus.InvalidScenario) { Problems = [(field, message)] };

    /// <summary>"$.events[0].at: message" or "$.x (line 3): message" as a field and a message (the line kept in the message).</summary>
    private static (string Field, string Message) ToField(string problem)
    {
        var colon = problem.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0 || !problem.StartsWith('$'))
        {
            return ("$", problem);
        }

        var field = problem[..colon];
        var message = problem[(colon + 2)..];
        var line = field.IndexOf(" (line ", StringComparison.Ordinal);
        if (line > 0)
        {
            message += " " + field[(line + 1)..];
            field = field[..line];
        }

        return (field, message);
    }

    private static string Days(TimeSpan span) => ((int)span.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

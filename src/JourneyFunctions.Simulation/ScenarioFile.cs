using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Simulation;

/// <summary>A scenario that cannot be played, with every problem found (each prefixed with its JSON path).</summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
        : this([])
    {
    }

    public ScenarioException(string message)
        : this([message])
    {
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public ScenarioException(IReadOnlyList<string> problems)
        : base(problems.Count == 0 ? "The scenario is not valid." : string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>
/// Reads scenario files: strict JSON (an unknown property is an error, so a typo in an expectation cannot silently
/// pass), comments and trailing commas allowed, then checks every time, duration and expectation, reporting all
/// problems at once with their JSON paths.
/// </summary>
public static class ScenarioFile
{
    /// <summary>The file name suffix <c>journeys test</c> looks for.</summary>
    public const string Suffix = ".scenario.json";

    /// <summary>The outcomes <see cref="ScenarioExpectation.Completed"/> accepts.</summary>
    public static IReadOnlyList<string> CompletionWords { get; } = ["goal", "exited", "finished", "cancelled", "failed", "waiting", "active"];

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Loads and checks a scenario file. The journey path it names is resolved against the file's folder.</summary>
    public static async Task<LoadedScenario> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(full, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"cannot read {path}: {ex.Message}", ex);
        }

        var scenario = Parse(json);
        var journeyPath = scenario.Journey is null ? null : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, scenario.Journey));
        return new LoadedScenario(full, scenario, journeyPath);
    }

    /// <summary>Parses and checks scenario JSON; throws <see cref="ScenarioException"/> listing every problem.</summary>
    public static Scenario Parse(string json)
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            var line = ex.LineNumber is { } n ? $" (line {(n + 1).ToString(CultureInfo.InvariantCulture)})" : string.Empty;
            throw new ScenarioException($"{ex.Path ?? "$"}{line}: {Clean(ex)}", ex);
        }

        if (scenario is null)
        {
            throw new ScenarioException("$: the scenario is empty (null)");
        }

        var problems = Check(scenario);
        return problems.Count > 0 ? throw new ScenarioException(problems) : scenario;
    }

    /// <summary>The contact's zone: its IANA zone, else UTC.</summary>
    public static TimeZoneInfo ZoneOf(Scenario scenario) => ZonedTime.Resolve(scenario.Contact.TimeZone);

    /// <summary>
    /// Resolves a scenario time: a duration after start (<c>+PT30M</c>, <c>P2D</c>; calendar days in the contact's
    /// zone, so +P1D from 23:30 is 23:30 the next day even across a DST change) or an ISO 8601 time (without an offset
    /// it is wall-clock time in the contact's zone). Null or empty means the start.
    /// </summary>
    public static bool TryResolveTime(string? text, DateTimeOffset start, TimeZoneInfo zone, out DateTimeOffset at, out string? error)
    {
        error = null;
        at = start;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var s = text.Trim();
        if (s[0] is '+' or '-' or 'P' or 'p')
        {
            if (!IsoDuration.TryParse(s, out var duration, out error))
            {
                return false;
            }

            at = duration.AddTo(start, zone);
            return true;
        }

        if (JsonValues.TryParseInstant(s, zone, out at))
        {
            return true;
        }

        error = $"'{text}' is neither a duration after start (+PT30M) nor an ISO 8601 time (2026-03-03T09:00:00+01:00)";
        return false;
    }

    /// <summary>The end of the scenario: start plus <see cref="Scenario.RunFor"/>.</summary>
    public static DateTimeOffset EndOf(Scenario scenario) =>
        IsoDuration.Parse(scenario.RunFor).AddTo(scenario.Start, ZoneOf(scenario));

    /// <summary>Parses <see cref="ScenarioExpectation.AtLocal"/>: a time of day, or a local date and time.</summary>
    public static bool TryParseLocal(string text, out TimeOnly? timeOfDay, out DateTime? localDateTime)
    {
        timeOfDay = null;
        localDateTime = null;
        if (ZonedTime.TryParseTimeOfDay(text, out var t))
        {
            timeOfDay = t;
            return true;
        }

        if (DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
        {
            localDateTime = dt;
            return true;
        }

        return false;
    }

    private static List<string> Check(Scenario scenario)
    {
        var problems = new List<string>();
        var contact = scenario.Contact;
        if (contact.TimeZone is { } zone && ZonedTime.Find(zone) is null)
        {
            problems.Add($"$.contact.timeZone: '{zone}' is not an IANA time zone (e.g. Europe/Madrid)");
        }

        if (string.IsNullOrWhiteSpace(contact.Id))
        {
            problems.Add("$.contact.id: must not be empty");
        }

        var tz = ZoneOf(scenario);
        DateTimeOffset? end = null;
        if (!IsoDuration.TryParse(scenario.RunFor, out var runFor, out var runForError))
        {
            problems.Add($"$.runFor: {runForError}");
        }
        else if (runFor.Negative || runFor.IsZero)
        {
            problems.Add($"$.runFor: '{scenario.RunFor}' must be a positive duration (e.g. P30D)");
        }
        else if (runFor.Approximate() > TimeSpan.FromDays(3660))
        {
            problems.Add($"$.runFor: '{scenario.RunFor}' is longer than ten years");
        }
        else
        {
            end = runFor.AddTo(scenario.Start, tz);
        }

        for (var i = 0; i < scenario.Events.Count; i++)
        {
            var e = scenario.Events[i];
            var path = $"$.events[{i}]";
            if (string.IsNullOrWhiteSpace(e.Name))
            {
                problems.Add($"{path}.name: is required (e.g. order.placed)");
            }

            if (e.Data is { } data && data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                problems.Add($"{path}.data: must be a JSON object");
            }

            if (!TryResolveTime(e.At, scenario.Start, tz, out var at, out var error))
            {
                problems.Add($"{path}.at: {error}");
            }
            else if (at < scenario.Start)
            {
                problems.Add($"{path}.at: '{e.At}' is before the start of the scenario");
            }
            else if (end is { } last && at > last)
            {
                problems.Add($"{path}.at: '{e.At}' is after the end of the scenario (runFor {scenario.RunFor})");
            }
        }

        for (var i = 0; i < scenario.Expect.Count; i++)
        {
            CheckExpectation(scenario, scenario.Expect[i], $"$.expect[{i}]", tz, problems);
        }

        return problems;
    }

    private static void CheckExpectation(Scenario scenario, ScenarioExpectation x, string path, TimeZoneInfo tz, List<string> problems)
    {
        var subjects = new (string Name, bool Set)[]
        {
            ("email", x.Email is not null), ("noEmail", x.NoEmail is not null), ("tag", x.Tag is not null), ("noTag", x.NoTag is not null),
            ("completed", x.Completed is not null), ("emailCount", x.EmailCount is not null), ("visited", x.Visited is not null),
            ("notVisited", x.NotVisited is not null), ("entered", x.Entered is not null), ("field", x.Field is not null),
            ("counter", x.Counter is not null),
        };
        var set = subjects.Where(s => s.Set).Select(s => s.Name).ToList();
        if (set.Count != 1)
        {
            problems.Add(set.Count == 0
                ? $"{path}: give one of {string.Join(", ", subjects.Select(s => s.Name))}"
                : $"{path}: give only one of {string.Join(", ", set)} per expectation (split it in two)");
            return;
        }

        if (x.Email is null && (x.At is not null || x.AtLocal is not null || x.Subject is not null || x.Contains is not null || x.Link is not null))
        {
            problems.Add($"{path}: at, atLocal, subject, contains and link refine an email expectation; add \"email\"");
        }

        if (x.Field is null && x.Counter is null && x.EqualTo is not null)
        {
            problems.Add($"{path}.equals: refines a field or counter expectation; add \"field\" or \"counter\"");
        }

        if (x.Counter is not null && x.EqualTo is { } count && !(count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out var n) && n >= 0))
        {
            problems.Add($"{path}.equals: a counter is a whole number of 0 or more, not {count.GetRawText()}");
        }

        if (x.Contains is { Length: 0 })
        {
            problems.Add($"{path}.contains: must not be empty (every email contains the empty text)");
        }

        if (x.Link is { } link && !(Uri.TryCreate(link.TrimEnd('*'), UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "mailto"))
        {
            problems.Add($"{path}.link: '{link}' is not an absolute URL (e.g. https://northwind.example/cart/c-1, or a prefix ending in *)");
        }

        if (x.At is not null && !TryResolveTime(x.At, scenario.Start, tz, out _, out var error))
        {
            problems.Add($"{path}.at: {error}");
        }

        if (x.AtLocal is not null && !TryParseLocal(x.AtLocal, out _, out _))
        {
            problems.Add($"{path}.atLocal: '{x.AtLocal}' is neither a time of day (09:00) nor a local date and time (2026-03-03T09:00)");
        }

        if (x.Completed is { } completed && !CompletionWords.Contains(completed, StringComparer.Ordinal))
        {
            problems.Add($"{path}.completed: '{completed}' is not one of {string.Join(", ", CompletionWords)}");
        }

        if (x.EmailCount is < 0)
        {
            problems.Add($"{path}.emailCount: must be 0 or more");
        }
    }

    private static string Clean(JsonException ex)
    {
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "unknown property (see docs/simulator.md for the scenario format)";
        }

        if (ex.Message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var names = ex.Message.IndexOf("including: ", StringComparison.Ordinal) is var at and >= 0 ? ex.Message[(at + 11)..].TrimEnd('.') : null;
            return names is null ? "a required property is missing" : "missing required property " + names;
        }

        // System.Text.Json appends "Path: $.x | LineNumber: ..." itself; the path and line are already in front.
        var cut = ex.Message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? ex.Message[..cut] : ex.Message;
    }
}

/// <summary>A scenario read from a file, with the absolute path of the journey it names (null when it names none).</summary>
public sealed record LoadedScenario(string Path, Scenario Scenario, string? JourneyPath);

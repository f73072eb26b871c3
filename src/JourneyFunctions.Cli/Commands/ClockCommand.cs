using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys clock [show | advance PT1H | next]</c>: reads or moves the virtual clock of a built-in host started
/// with <c>journeys serve --clock virtual</c> (Development only), through <c>GET /api/dev/clock</c> and
/// <c>POST /api/dev/clock/advance</c>. An advance answers once the timers that fell due have fired, so the emails they
/// sent are already in the outbox. Exit codes: 0 done, 2 the host refused or could not be reached.
/// </summary>
public static class ClockCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var url = new Option<string>("--url")
        {
            Description = "Base URL of the running host.",
            DefaultValueFactory = _ => "http://127.0.0.1:7071",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "The host's API key (default: JOURNEYS_API_KEY, else the Development key dev-key).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("JOURNEYS_API_KEY") is { Length: > 0 } key ? key : "dev-key",
        };

        var show = new Command("show", "Print the host's time and the next timer a run waits for.");
        show.SetAction((parse, ct) => RunAsync(parse, url, apiKey, null, ct));

        var by = new Argument<string>("duration") { Description = "ISO 8601 duration, e.g. PT1H, P1D." };
        var advance = new Command("advance", "Move the host's clock forward by a duration and fire what fell due.") { by };
        advance.SetAction((parse, ct) => RunAsync(parse, url, apiKey, new { by = parse.GetRequiredValue(by) }, ct));

        var next = new Command("next", "Move the host's clock to the next timer a run waits for and fire it.");
        next.SetAction((parse, ct) => RunAsync(parse, url, apiKey, new { toNextTimer = true }, ct));

        var command = new Command("clock", "Read or move the virtual clock of a host started with serve --clock virtual (Development).")
        {
            url, apiKey, show, advance, next,
        };
        url.Recursive = true;
        apiKey.Recursive = true;
        command.SetAction((parse, ct) => RunAsync(parse, url, apiKey, null, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string> url, Option<string?> apiKey, object? advance, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var urlText = parse.GetValue(url)!;
        if (!Uri.TryCreate(urlText.EndsWith('/') ? urlText : urlText + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"--url '{urlText}' is not an http(s) URL such as http://127.0.0.1:7071.");
            return 2;
        }

        try
        {
            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            using var request = new HttpRequestMessage(advance is null ? HttpMethod.Get : HttpMethod.Post, advance is null ? "api/dev/clock" : "api/dev/clock/advance");
            if (parse.GetValue(apiKey) is { Length: > 0 } key)
            {
                request.Headers.TryAddWithoutValidation(MapCommand.ApiKeyHeader, key);
            }

            if (advance is not null)
            {
                request.Content = JsonContent.Create(advance, options: Json);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"{baseUrl} answered {(int)response.StatusCode}: {ProblemText(body)}");
                return 2;
            }

            await output.WriteLineAsync(Describe(JsonDocument.Parse(body).RootElement));
            return 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            await error.WriteLineAsync($"Cannot reach the host at {baseUrl}: {ex.Message} (is journeys serve --clock virtual running?)");
            return 2;
        }
    }

    /// <summary>"Clock now ... (PT1H ahead of this machine); fired 1 timer; next timer at ...".</summary>
    public static string Describe(JsonElement clock)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Clock now {Instant(clock.GetProperty("now"))} ({clock.GetProperty("offset").GetString()} ahead of this machine)");
        if (clock.TryGetProperty("timersFired", out var fired) && fired.ValueKind == JsonValueKind.Number)
        {
            var n = fired.GetInt32();
            text.Append(CultureInfo.InvariantCulture, $"; fired {n} timer{(n == 1 ? string.Empty : "s")}");
        }

        text.Append(clock.TryGetProperty("nextTimerAt", out var next) && next.ValueKind == JsonValueKind.String
            ? $"; next timer at {Instant(next)}"
            : "; no run waits on a timer");
        return text.ToString();
    }

    private static string Instant(JsonElement value) =>
        value.GetDateTimeOffset().ToUniversalTime().ToString("ddd d MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string ProblemText(string body)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            return problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d ? d
                : problem.TryGetProperty("title", out var title) ? title.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}

using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using JourneyFunctions.Core.Maps;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys map journey.json [--url http://127.0.0.1:7071 --api-key ...]</c>: prints the journey as a Mermaid
/// flowchart; with <c>--url</c> it reads the journey's live stats from a running host
/// (<c>GET /api/journeys/{id}/stats</c>) and shows per-step counts. Exit codes: 0 printed, 2 the journey or the
/// host could not be read.
/// </summary>
public static class MapCommand
{
    /// <summary>The header the built-in host and the Functions app read the API key from.</summary>
    public const string ApiKeyHeader = "x-api-key";

    public static Command Create()
    {
        var journey = new Argument<FileInfo>("journey") { Description = "The journey JSON." };
        var url = new Option<string?>("--url")
        {
            Description = "Base URL of a running host (e.g. http://127.0.0.1:7071) to show live counts per step.",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "API key for the host (default: the JOURNEYS_API_KEY environment variable).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("JOURNEYS_API_KEY"),
        };
        var markdown = new Option<bool>("--markdown") { Description = "Wrap the chart in a ```mermaid block, ready for a README or a pull request." };
        var outputFile = new Option<FileInfo?>("--output", "-o") { Description = "Write the chart to this file instead of standard output." };
        var command = new Command("map", "Print a journey as a Mermaid flowchart, with live per-step counts from a running host.")
        {
            journey, url, apiKey, markdown, outputFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(journey);
            Core.Model.JourneyDefinition definition;
            try
            {
                definition = await JourneySimulator.LoadJourneyAsync(file.FullName, cancellationToken);
            }
            catch (ScenarioException ex)
            {
                await error.WriteLineAsync(ex.Message);
                return 2;
            }

            JourneyStats? stats = null;
            if (parse.GetValue(url) is { } urlText)
            {
                if (!Uri.TryCreate(urlText.EndsWith('/') ? urlText : urlText + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
                {
                    await error.WriteLineAsync($"--url '{urlText}' is not an http(s) URL such as http://127.0.0.1:7071.");
                    return 2;
                }

                try
                {
                    stats = await FetchStatsAsync(baseUrl, definition.Id, parse.GetValue(apiKey), cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or NotSupportedException or TaskCanceledException)
                {
                    await error.WriteLineAsync($"Cannot read the stats of {definition.Id} from {baseUrl}: {ex.Message}");
                    return 2;
                }
            }

            var chart = JourneyMap.ToMermaid(definition, stats);
            if (parse.GetValue(markdown))
            {
                chart = "```mermaid\n" + chart + "```\n";
            }

            if (parse.GetValue(outputFile) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, chart, cancellationToken);
            }
            else
            {
                await parse.InvocationConfiguration.Output.WriteAsync(chart);
            }

            return 0;
        });
        return command;
    }

    /// <summary>GET /api/journeys/{id}/stats of a running host.</summary>
    public static async Task<JourneyStats> FetchStatsAsync(Uri baseUrl, string journeyId, string? apiKey, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/journeys/{Uri.EscapeDataString(journeyId)}/stats");
        if (!string.IsNullOrEmpty(apiKey))
        {
            request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {body}", null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<JourneyStats>(new JsonSerializerOptions(JsonSerializerDefaults.Web), cancellationToken)
            ?? throw new JsonException("the host answered an empty body");
    }
}

using System.Net;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Cli.Tests.Simulation;

public sealed class MapCommandTests
{
    [Fact]
    public async Task Map_SampleJourney_PrintsAMermaidFlowchart()
    {
        var (code, output, error) = await CliRunner.RunAsync("map", Repo.Path("journeys", "post-purchase-review.json"));

        Assert.True(code == 0, error);
        Assert.StartsWith("flowchart TD\n", output, StringComparison.Ordinal);
        Assert.Contains("stage: advocacy", output, StringComparison.Ordinal);
        Assert.Contains("-->|\"review.submitted\"|", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_Markdown_WrapsTheChartInAMermaidBlock()
    {
        using var folder = new TempRepository();
        var target = System.IO.Path.Combine(folder.Root, "map.md");

        var (code, _, _) = await CliRunner.RunAsync("map", Repo.Path("journeys", "welcome-series.json"), "--markdown", "--output", target);

        Assert.Equal(0, code);
        var text = await File.ReadAllTextAsync(target);
        Assert.StartsWith("```mermaid\nflowchart TD\n", text, StringComparison.Ordinal);
        Assert.EndsWith("```\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_WithUrl_ReadsLiveStatsWithTheApiKeyAndShowsCounts()
    {
        var stats = new JourneyStats("abandoned-cart", 2, 40, 12, 10, 8, 10, 0, 0, 45, 0.25, [
            new StepStats("grace", "wait", 40, 3, 0, 0, 0, 0, 0, 0, 0),
            new StepStats("reminder-1", "email", 37, 0, 36, 1, 30, 0, 12, 4, 0),
        ]);
        string? seenKey = null;
        await using var app = await StartHostAsync(context =>
        {
            seenKey = context.Request.Headers["X-Api-Key"];
            return context.Request.Path == "/api/journeys/abandoned-cart/stats"
                ? Results.Ok(stats).ExecuteAsync(context)
                : Results.NotFound().ExecuteAsync(context);
        });

        var (code, output, error) = await CliRunner.RunAsync("map", Repo.Path("journeys", "abandoned-cart.json"), "--url", BaseUrl(app), "--api-key", "k-123");

        Assert.True(code == 0, error);
        Assert.Equal("k-123", seenKey);
        Assert.Contains("entered 40 · active 12 · goals 10 · conversion 25%", output, StringComparison.Ordinal);
        Assert.Contains("visited 37 · waiting 0 · sent 36 · skipped 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_HostAnswersAnError_ExitsTwoWithTheStatus()
    {
        await using var app = await StartHostAsync(context =>
        {
            context.Response.StatusCode = (int)HttpStatusCode.Unauthorized;
            return context.Response.WriteAsync("{\"title\":\"bad key\"}");
        });

        var (code, _, error) = await CliRunner.RunAsync("map", Repo.Path("journeys", "abandoned-cart.json"), "--url", BaseUrl(app));

        Assert.Equal(2, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.Contains("bad key", error, StringComparison.Ordinal);
    }

    /// <summary>A real Kestrel server on 127.0.0.1 (a free port) answering like the host's stats endpoint.</summary>
    private static async Task<WebApplication> StartHostAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    private static string BaseUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

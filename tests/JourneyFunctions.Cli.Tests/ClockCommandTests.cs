using JourneyFunctions.Host;
using JourneyFunctions.Host.Clock;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Cli.Tests;

/// <summary><c>journeys clock</c> against the real host on Kestrel 127.0.0.1, as <c>journeys serve --clock virtual</c> builds it.</summary>
public sealed class ClockCommandTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "jf-clock-cli-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        var builder = JourneyHost.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Host:Clock"] = "Virtual",
            ["Host:JourneysDirectory"] = Simulation.Repo.Path("journeys"),
            ["Templates:Directory"] = Simulation.Repo.Path("templates"),
            ["Email:Outbox:Directory"] = Path.Combine(_work, "outbox"),
            ["Unsubscribe:LocalKeyPath"] = Path.Combine(_work, "unsubscribe.key"),
            ["Logging:LogLevel:Default"] = "Warning",
        }, environmentName: "Development");
        _app = JourneyHost.BuildApp(builder);
        await _app.StartAsync();
        _url = JourneyHost.Addresses(_app)[0];
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Clock_AdvanceByAnHour_MovesTheHostsClockAndSaysSo()
    {
        var (code, output, error) = await CliRunner.RunAsync("clock", "advance", "PT1H", "--url", _url);

        Assert.True(code == 0, output + error);
        Assert.StartsWith("Clock now ", output, StringComparison.Ordinal);
        Assert.Contains("(PT1H ahead of this machine)", output, StringComparison.Ordinal);
        Assert.Contains("fired 0 timers", output, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(1), _app.Services.GetRequiredService<VirtualClock>().Offset);
    }

    [Fact]
    public async Task Clock_Show_PrintsTheTimeAndMovesNothing()
    {
        var (code, output, error) = await CliRunner.RunAsync("clock", "show", "--url", _url);

        Assert.True(code == 0, output + error);
        Assert.Contains("no run waits on a timer", output, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, _app.Services.GetRequiredService<VirtualClock>().Offset);
    }

    [Fact]
    public async Task Clock_WrongKeyOrBadDuration_ExitTwoWithTheHostsReason()
    {
        var (wrongKey, _, keyError) = await CliRunner.RunAsync("clock", "next", "--url", _url, "--api-key", "not-the-key");
        var (bad, _, badError) = await CliRunner.RunAsync("clock", "advance", "soon", "--url", _url);

        Assert.Equal(2, wrongKey);
        Assert.Contains("403", keyError, StringComparison.Ordinal);
        Assert.Equal(2, bad);
        Assert.Contains("$.by", badError, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, _app.Services.GetRequiredService<VirtualClock>().Offset);
    }

    [Fact]
    public async Task Clock_NoHostThere_ExitTwoSayingWhatToStart()
    {
        var (code, _, error) = await CliRunner.RunAsync("clock", "show", "--url", "http://127.0.0.1:1");

        Assert.Equal(2, code);
        Assert.Contains("serve --clock virtual", error, StringComparison.Ordinal);
    }
}

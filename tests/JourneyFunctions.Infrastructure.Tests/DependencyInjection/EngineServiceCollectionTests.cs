using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Tests.DependencyInjection;

/// <summary>The one engine setup of both hosts and the simulator: its timings come from configuration.</summary>
public sealed class EngineServiceCollectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jf-engine-di-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AddJourneyEngine_NoSettings_WebhookTimeout15sAndCatalogRefresh30s()
    {
        using var services = Build([]);

        Assert.Equal(TimeSpan.FromSeconds(15), WebhookClientTimeout(services));
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.IsType<CachedJourneyCatalog>(services.GetRequiredService<IJourneyCatalog>()).Ttl);
        Assert.Null(services.GetService<IRunDispatcher>());
    }

    [Fact]
    public void AddJourneyEngine_EngineSection_SetsTheWebhookTimeoutAndTheCatalogRefresh()
    {
        using var services = Build(new() { ["Engine:WebhookTimeout"] = "00:00:07", ["Engine:CatalogRefresh"] = "00:02:00" });

        Assert.Equal(TimeSpan.FromSeconds(7), WebhookClientTimeout(services));
        Assert.Equal(TimeSpan.FromMinutes(2), Assert.IsType<CachedJourneyCatalog>(services.GetRequiredService<IJourneyCatalog>()).Ttl);
    }

    [Fact]
    public void AddJourneyRunner_RunnerSectionThenCallerChanges_TheLocalEngineDispatchesAndTheRunnerUsesBoth()
    {
        using var services = Build(
            new() { ["Runner:VisibilityTimeout"] = "00:01:00", ["Runner:PausedRecheck"] = "00:10:00", ["Runner:MaxConcurrency"] = "4" },
            s => s.AddJourneyRunner(o => o.MaxConcurrency = 1));

        Assert.IsType<LocalRunEngine>(services.GetRequiredService<IRunDispatcher>());
        var options = services.GetRequiredService<JourneyRunner>().Options;
        Assert.Equal(TimeSpan.FromMinutes(1), options.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), options.PausedRecheck);
        Assert.Equal(1, options.MaxConcurrency);
        Assert.Same(options, services.GetRequiredService<IOptions<RunnerOptions>>().Value);
    }

    /// <summary>The timeout of the HTTP client the webhook client gets (a typed client is named after its interface).</summary>
    private static TimeSpan WebhookClientTimeout(ServiceProvider services)
    {
        _ = services.GetRequiredService<IWebhookClient>();
        return services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(IWebhookClient)).Timeout;
    }

    private ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        settings["Templates:Directory"] = _directory;
        settings["Unsubscribe:LocalKeyPath"] = Path.Combine(_directory, "unsubscribe.key");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddJourneyEngine(configuration);
        more?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}

using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>
/// The journey engine in one call, the same for the built-in host, the Functions app and the simulator: the one place
/// where its services and their settings are registered, so the hosts cannot drift apart.
/// </summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The Core application services with the journey catalog, storage (section <c>Storage</c>), email, templates and
    /// unsubscribe tokens (sections <c>Email</c>, <c>Templates</c>, <c>Unsubscribe</c>, <c>Sending</c>) and the webhook
    /// client; the engine's timings come from <see cref="EngineOptions"/> (section <c>Engine</c>). Every timeout is in
    /// these options (docs/operations.md lists them). The host adds how runs are
    /// executed: <see cref="AddJourneyRunner"/> (the local run engine and its runner) or Durable Functions.
    /// </summary>
    public static IServiceCollection AddJourneyEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EngineOptions>().BindConfiguration(EngineOptions.SectionName);
        services.TryAddSingleton<IJourneyCatalog>(sp => new CachedJourneyCatalog(sp.GetRequiredService<IJourneyStore>(), sp.GetRequiredService<TimeProvider>())
        {
            Ttl = sp.GetRequiredService<IOptions<EngineOptions>>().Value.CatalogRefresh,
        });
        services.AddJourneyCore();
        services.AddJourneyStorage(configuration);
        services.AddJourneyEmail(configuration);
        services.AddJourneyWebhooks();
        return services;
    }

    /// <summary>
    /// The webhook client (section <c>Webhooks</c>, timeout <see cref="EngineOptions.WebhookTimeout"/>): internal
    /// addresses refused at connect time unless allowed, loopback allowed in Development, no redirects, header secrets
    /// by name.
    /// </summary>
    public static IServiceCollection AddJourneyWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        services.TryAddSingleton<IWebhookSecretNames, ConfiguredWebhookSecretNames>();
        services.AddHttpClient<IWebhookClient, HttpWebhookClient>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<EngineOptions>>().Value.WebhookTimeout)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookHttpHandler.Create(
                sp.GetRequiredService<IOptions<WebhookOptions>>().Value,
                sp.GetService<IHostEnvironment>()?.IsDevelopment() == true));
        return services;
    }

    /// <summary>
    /// The local way of running journeys: <see cref="LocalRunEngine"/> as the <see cref="IRunDispatcher"/> and the
    /// <see cref="JourneyRunner"/> that drains the queue and fires due timers, with <see cref="RunnerOptions"/> (section
    /// <c>Runner</c>). The built-in host drives it from its hosted loops; the simulator and <c>journeys load</c> drive
    /// the same runner on a virtual clock (they may change the options with <paramref name="configure"/>).
    /// </summary>
    public static IServiceCollection AddJourneyRunner(this IServiceCollection services, Action<RunnerOptions>? configure = null)
    {
        var options = services.AddOptions<RunnerOptions>().BindConfiguration(RunnerOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<LocalRunEngine>();
        services.TryAddSingleton<IRunDispatcher>(sp => sp.GetRequiredService<LocalRunEngine>());
        services.TryAddSingleton<JourneyRunner>();
        return services;
    }
}

using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JourneyFunctions.Simulation;

/// <summary>
/// The service container of a simulation or a load run: the real Core services and run engine over the storage the
/// configuration names (fresh in-memory stores by default), the real Liquid templates, and the given clock, email
/// sender and webhook client. Built per simulation so nothing is shared with a host or another simulation.
/// </summary>
public static class SimulationServices
{
    /// <summary>
    /// The signing key of unsubscribe links in simulated emails. Fixed, so a scenario renders the same email every
    /// time; the links point at a .invalid host and never unsubscribe anyone.
    /// </summary>
    private static readonly UnsubscribeKey UnsubscribeKey = new() { Id = "simulator", Secret = "journeys-simulator-unsubscribe-links-are-not-live" };

    /// <param name="clock">The time every service reads.</param>
    /// <param name="email">Where emails go.</param>
    /// <param name="webhooks">Where webhook calls go.</param>
    /// <param name="templatesDirectory">The email templates folder.</param>
    /// <param name="sending">Changes to the sending rules (frequency cap, quota), or null for the defaults.</param>
    /// <param name="storage">Storage configuration (the <c>Storage</c> section); null: in-memory.</param>
    /// <param name="configure">Last changes to the registrations (e.g. a request-counting storage client).</param>
    public static ServiceProvider Build(
        TimeProvider clock,
        IEmailSender email,
        IWebhookClient webhooks,
        string templatesDirectory,
        Action<SendingOptions>? sending = null,
        IReadOnlyDictionary<string, string?>? storage = null,
        Action<IServiceCollection>? configure = null)
    {
        var settings = new Dictionary<string, string?>(storage ?? new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(clock);
        services.AddLogging();
        services.AddOptions<SendingOptions>().Configure(o =>
        {
            o.PublicBaseUrl = "https://journeys.simulation.invalid";
            sending?.Invoke(o);
        });
        services.AddJourneyStorage(configuration);
        services.AddJourneyCore();
        services.TryAddSingleton<LocalRunEngine>();
        var templates = new LiquidTemplateRenderer(templatesDirectory);
        services.AddSingleton<ITemplateRenderer>(templates);
        services.AddSingleton<ITemplateCatalog>(templates);
        services.AddSingleton(email);
        services.AddSingleton(webhooks);
        services.AddSingleton(sp => new UnsubscribeTokens(new UnsubscribeTokenOptions { Keys = [UnsubscribeKey] }, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IUnsubscribeUrlBuilder, UnsubscribeUrlBuilder>();
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}

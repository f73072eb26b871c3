using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JourneyFunctions.Simulation;

/// <summary>
/// The service container of a simulation or a load run: the engine as the hosts set it up
/// (<see cref="EngineServiceCollectionExtensions.AddJourneyEngine"/>) and run by the built-in host's runner
/// (<see cref="EngineServiceCollectionExtensions.AddJourneyRunner"/>), over the storage the configuration names
/// (fresh in-memory stores by default) and the real Liquid templates, with the given clock, email sender and webhook
/// client in place of the system clock and the providers. Built per simulation so nothing is shared with a host or
/// another simulation.
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
    /// <param name="runner">
    /// Changes to the runner's options. By default the runner handles one input at a time, so every run of a scenario
    /// fires a contact's simultaneous timers in the same order.
    /// </param>
    public static ServiceProvider Build(
        TimeProvider clock,
        IEmailSender email,
        IWebhookClient webhooks,
        string templatesDirectory,
        Action<SendingOptions>? sending = null,
        IReadOnlyDictionary<string, string?>? storage = null,
        Action<IServiceCollection>? configure = null,
        Action<RunnerOptions>? runner = null)
    {
        var settings = new Dictionary<string, string?>(storage ?? new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" })
        {
            ["Templates:Directory"] = templatesDirectory,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(clock);
        services.AddLogging();
        services.AddJourneyEngine(configuration);
        services.AddJourneyRunner(o =>
        {
            o.MaxConcurrency = 1;
            runner?.Invoke(o);
        });

        // What a simulation swaps: the providers, and a fixed signing key instead of a local key file.
        services.Replace(ServiceDescriptor.Singleton(email));
        services.Replace(ServiceDescriptor.Singleton(webhooks));
        services.Replace(ServiceDescriptor.Singleton(sp => new UnsubscribeTokens(new UnsubscribeTokenOptions { Keys = [UnsubscribeKey] }, sp.GetRequiredService<TimeProvider>())));
        services.Configure<SendingOptions>(o =>
        {
            o.PublicBaseUrl = "https://journeys.simulation.invalid";
            sending?.Invoke(o);
        });
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}

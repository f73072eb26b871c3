using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Api;
using JourneyFunctions.FunctionApp.Security;
using JourneyFunctions.Infrastructure.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using JourneyFunctions.Core.Runner;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// The Functions app's composition: the journey engine (<c>AddJourneyEngine</c>, the setup the built-in host and
/// the simulator use too), the built-in host's HTTP handlers (so routes, payloads and problems are identical), and the durable pieces.
/// Unlike the built-in host it registers no runner and no run dispatcher: runs are durable orchestrations, reached
/// through <see cref="DurableRunDispatcher"/>, which needs the invocation's <c>DurableTaskClient</c>.
/// </summary>
public static class FunctionAppServiceCollectionExtensions
{
    public static IServiceCollection AddJourneyFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Storage, email, templates, unsubscribe tokens, the webhook client and the Core services, as in the built-in host.
        services.AddJourneyEngine(configuration);

        // The buffered stats counters (Azure backend) are written when the worker stops, not only on dispose.
        services.AddHostedService<StatsBufferFlush>();

        // HTTP: the built-in host's handlers, its JSON for responses and its mapping of exceptions to problem+json.
        services.AddJourneyApi();

        // Event Grid's own credential on /api/eventgrid: an Entra ID token where deployed, a dedicated secret locally.
        services.AddOptions<EventGridAuthOptions>().BindConfiguration(EventGridAuthOptions.SectionName);
        services.AddHttpClient(EventGridAuthenticator.MetadataClient, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IEventGridAuthenticator, EventGridAuthenticator>();

        // Durable runs.
        // The pause recheck is the built-in runner's option (Runner:PausedRecheck): one option, one default.
        services.AddOptions<RunnerOptions>().BindConfiguration(RunnerOptions.SectionName);
        services.AddOptions<FunctionAppOptions>().BindConfiguration(FunctionAppOptions.SectionName);
        services.TryAddSingleton(sp => new JourneyOrchestrationDriver(pauseRecheck: sp.GetRequiredService<IOptions<RunnerOptions>>().Value.PausedRecheck));
        services.AddSingleton<RunRecorder>();
        services.AddSingleton<RunStartPreparer>();
        services.AddOptions<RunHistoryOptions>().BindConfiguration(RunHistoryOptions.SectionName);
        return services;
    }
}

/// <summary>How long the durable history of finished runs is kept (configuration section <c>RunHistory</c>).</summary>
public sealed class RunHistoryOptions
{
    public const string SectionName = "RunHistory";

    /// <summary>
    /// Finished orchestrations older than this are purged from the task hub. Their history holds the contact's data
    /// (trigger event, contact snapshot), so this is also how long it outlives an erase. Default 30 days.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}

using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>The whole product's services in one call, for the built-in host and the Functions app alike.</summary>
public static class JourneyServiceCollectionExtensions
{
    /// <summary>Timeout of one webhook call; the activity's retry policy decides what happens after it.</summary>
    public static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Storage (section <c>Storage</c>), email, templates and unsubscribe tokens (sections <c>Email</c>,
    /// <c>Templates</c>, <c>Unsubscribe</c>, <c>Sending</c>), the webhook client and the Core application services.
    /// The host adds its own <see cref="IRunDispatcher"/>: the local run engine, or Durable Functions.
    /// </summary>
    public static IServiceCollection AddJourneyFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddJourneyStorage(configuration);
        services.AddJourneyEmail(configuration);
        services.AddHttpClient<IWebhookClient, HttpWebhookClient>(client => client.Timeout = WebhookTimeout);
        services.AddJourneyCore();
        return services;
    }
}

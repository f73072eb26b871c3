using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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
        services.AddJourneyWebhooks(WebhookTimeout);
        services.AddJourneyCore();
        return services;
    }

    /// <summary>
    /// The webhook client (section <c>Webhooks</c>): internal addresses refused at connect time unless allowed,
    /// loopback allowed in Development, no redirects, header secrets by name.
    /// </summary>
    public static IServiceCollection AddJourneyWebhooks(this IServiceCollection services, TimeSpan timeout)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        services.AddHttpClient<IWebhookClient, HttpWebhookClient>(client => client.Timeout = timeout)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookHttpHandler.Create(
                sp.GetRequiredService<IOptions<WebhookOptions>>().Value,
                sp.GetService<IHostEnvironment>()?.IsDevelopment() == true));
        return services;
    }
}

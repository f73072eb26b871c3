using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services.Activities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JourneyFunctions.Core.Services;

/// <summary>Registers the application services both hosts share. Storage, email and options come from Infrastructure.</summary>
public static class CoreServiceCollectionExtensions
{
    public static IServiceCollection AddJourneyCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);

        // Stores that write at once need no unit of work; the Azure storage registration brings its own.
        services.TryAddSingleton<IContactWork>(ImmediateContactWork.Instance);
        services.TryAddSingleton<IJourneyCatalog, CachedJourneyCatalog>();
        services.TryAddSingleton<ISendRateLimiter, TokenBucketRateLimiter>();
        services.TryAddSingleton<ContactWriter>();
        services.TryAddSingleton<AddressSuppressions>();
        services.TryAddSingleton<ContactLocks>();
        services.TryAddSingleton<TagEventFilter>();
        services.TryAddSingleton<ActivityLedgerGuard>();
        services.TryAddSingleton<SendEmailHandler>();
        services.TryAddSingleton<ChangeTagsHandler>();
        services.TryAddSingleton<SetFieldHandler>();
        services.TryAddSingleton<CallWebhookHandler>();
        services.TryAddSingleton<ActivityExecutor>();
        services.TryAddSingleton<EventIngestService>();
        services.TryAddSingleton<EventRouter>();
        services.TryAddSingleton<RunBookkeeping>();
        services.TryAddSingleton<ContactService>();
        services.TryAddSingleton<InactivitySweep>();
        services.TryAddSingleton<JourneyStatsService>();
        services.TryAddSingleton<JourneyPublisher>();
        return services;
    }
}

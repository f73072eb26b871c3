using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Api;
using JourneyFunctions.Host.Runner;
using JourneyFunctions.Host.Security;
using JourneyFunctions.Host.Telemetry;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace JourneyFunctions.Host.Composition;

/// <summary>Everything the built-in host registers: the journey engine, the HTTP API's services, the runner and telemetry.</summary>
public static class HostServiceCollectionExtensions
{
    public static IServiceCollection AddJourneyHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JourneyHostOptions>().BindConfiguration(JourneyHostOptions.SectionName);
        services.AddOptions<RunnerOptions>().BindConfiguration(RunnerOptions.SectionName);

        services.AddJourneyEngine(configuration);

        // HTTP API.
        services.AddJourneyApi();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<IEventGridAuthenticator, EventGridKeyAuthenticator>();
        services.AddSingleton<StartupReport>();

        // Stop order is the reverse: the stats buffer is flushed after the runner's loops have stopped.
        services.AddHostedService<StatsBufferFlush>();

        // Start order matters: journeys are published before the runner routes the first event.
        services.AddHostedService<JourneyLoader>();
        var runner = configuration.GetSection(RunnerOptions.SectionName).Get<RunnerOptions>() ?? new RunnerOptions();
        if (runner.Enabled)
        {
            services.AddHostedService<QueueConsumer>();
            services.AddHostedService<DueTimerLoop>();
            services.AddHostedService<InactivitySweepLoop>();
        }

        services.AddJourneyTelemetry(configuration);
        return services;
    }

    /// <summary>
    /// The journey engine over the configured storage and email: Core services, storage ports, email and templates,
    /// webhooks, and the local run engine as the run dispatcher. Kept in one place so the shared one-call composition
    /// can replace it.
    /// </summary>
    public static IServiceCollection AddJourneyEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SendingOptions>().BindConfiguration(SendingOptions.SectionName);
        services.AddJourneyCore();
        services.AddJourneyStorage(configuration);
        services.AddJourneyEmail(configuration);
        services.AddJourneyWebhooks(TimeSpan.FromSeconds(30));
        services.TryAddSingleton<LocalRunEngine>();
        services.TryAddSingleton<IRunDispatcher>(sp => sp.GetRequiredService<LocalRunEngine>());
        return services;
    }

    /// <summary>Spans and metrics named "JourneyFunctions"; exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
    public static IServiceCollection AddJourneyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.TryAddSingleton<JourneyTelemetry>();
        services.Decorate<IStatsStore>((inner, sp) => new InstrumentedStatsStore(inner, sp.GetRequiredService<JourneyTelemetry>()));
        services.Decorate<IEmailSender>((inner, sp) => new InstrumentedEmailSender(inner, sp.GetRequiredService<JourneyTelemetry>(), sp.GetRequiredService<TimeProvider>()));

        var otel = services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(JourneyTelemetry.Name))
            .WithMetrics(m => m.AddMeter(JourneyTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return services;
    }
}

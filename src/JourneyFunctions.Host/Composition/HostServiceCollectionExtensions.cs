using JourneyFunctions.Api;
using JourneyFunctions.Dashboard;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Host.Clock;
using JourneyFunctions.Host.Runner;
using JourneyFunctions.Host.Security;
using JourneyFunctions.Host.Telemetry;
using JourneyFunctions.Infrastructure.DependencyInjection;
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

        // One clock for the whole engine: registered before the engine's TryAdd of the system clock, so the runner's
        // timers, send windows, caps, stats and the outbox all read the virtual clock when it is asked for.
        if (configuration.GetSection(JourneyHostOptions.SectionName).Get<JourneyHostOptions>()?.Clock == HostClock.Virtual)
        {
            services.AddSingleton(new VirtualClock());
            services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<VirtualClock>());
        }

        // The engine as every host and the simulator set it up, run by the local run engine and its runner.
        services.AddJourneyEngine(configuration);
        services.AddJourneyRunner();

        // HTTP API.
        services.AddJourneyApi();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddSingleton<ApiKeys>();
        services.AddJourneyDashboard();
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

    /// <summary>Spans and metrics named "JourneyFunctions"; exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
    public static IServiceCollection AddJourneyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.TryAddSingleton<JourneyTelemetry>();
        services.TryAddSingleton<IRunnerObserver, RunnerTelemetry>();
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

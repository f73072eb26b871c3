using System.Globalization;
using System.Text;
using JourneyFunctions.Api;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Dashboard;
using JourneyFunctions.Host.Clock;
using JourneyFunctions.Host.Composition;
using JourneyFunctions.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host;

/// <summary>
/// Builds the built-in host: Kestrel on 127.0.0.1:7071 unless told otherwise, the HTTP API, the runner and the
/// journeys folder published at start. <c>journeys serve</c> and the tests build the very same app through here; tests
/// pass <c>--urls http://127.0.0.1:0</c> and replace services (a fake clock) with the <c>configureServices</c> callback of <see cref="CreateBuilder"/>.
/// </summary>
public static class JourneyHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";


    /// <summary>Configuration keys with their defaults, below every other source.</summary>
    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Extensions.Http"] = "Warning",
        ["Logging:LogLevel:System.Net.Http"] = "Warning",
    };

    /// <summary>
    /// A builder with the host's configuration: defaults, <c>appsettings.json</c> (optional), environment variables
    /// (including the <c>JOURNEYS_</c> prefix), the command line, then <paramref name="overrides"/> (what the serve
    /// command's typed options set). <paramref name="defaults"/> sit below everything (e.g. Azurite's connection string
    /// when <c>--storage azurite</c> is asked for and none is configured).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(
        string[] args,
        IReadOnlyDictionary<string, string?>? overrides = null,
        IReadOnlyDictionary<string, string?>? defaults = null,
        string? environmentName = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            EnvironmentName = environmentName,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        var configuration = builder.Configuration;
        var initial = new Dictionary<string, string?>(Defaults, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in defaults ?? new Dictionary<string, string?>())
        {
            initial[key] = value;
        }

        ((IConfigurationBuilder)configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = initial });
        configuration.AddEnvironmentVariables("JOURNEYS_");
        configuration.AddCommandLine(args);
        if (overrides is { Count: > 0 })
        {
            configuration.AddInMemoryCollection(overrides);
        }

        var found = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(configuration["Sending:PublicBaseUrl"]) && PublicUrl(configuration["urls"]) is { } publicUrl)
        {
            found["Sending:PublicBaseUrl"] = publicUrl;
        }

        if (string.IsNullOrWhiteSpace(configuration["Templates:Directory"]) && HostPaths.Find(null, "templates") is { } templates)
        {
            found["Templates:Directory"] = templates;
        }

        if (found.Count > 0)
        {
            configuration.AddInMemoryCollection(found);
        }

        if (string.IsNullOrWhiteSpace(configuration["urls"]) && configuration.GetSection("Kestrel:Endpoints").GetChildren().Any() is false)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The outer bound; each endpoint reads its body within its own, smaller limit (events 256 KiB, journeys 1 MiB).
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            kestrel.AddServerHeader = false;
        });

        builder.Services.AddJourneyHost(configuration);
        configureServices?.Invoke(builder.Services);
        return builder;
    }

    /// <summary>Builds the app with its middleware and every API area mapped.</summary>
    public static WebApplication BuildApp(WebApplicationBuilder builder)
    {
        var app = builder.Build();

        // Fail at build, not at the first request: the API key (missing or well-known outside Development), the public
        // URL of unsubscribe links in Production; and open the outbox now, so a crashed run's partial files go at start.
        _ = app.Services.GetRequiredService<ApiKeys>();
        CheckClock(app.Services.GetRequiredService<IOptions<JourneyHostOptions>>().Value, app.Environment);

        // The HMAC key of the suppression list: outside Development there is no generated fallback.
        _ = app.Services.GetRequiredService<JourneyFunctions.Core.Security.AddressHasher>();
        CheckPublicBaseUrl(app.Services.GetRequiredService<IOptions<SendingOptions>>().Value, app.Environment);
        if (app.Configuration["Email:Provider"] is not { Length: > 0 } provider || provider.Equals("Outbox", StringComparison.OrdinalIgnoreCase))
        {
            _ = app.Services.GetRequiredService<IEmailSender>();
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseApiKeys();
        app.MapJourneyApis();
        app.MapJourneyDashboard(app.Services.GetRequiredService<ApiKeys>().IsApiKey);
        return app;
    }

    /// <summary>The virtual clock moves time for every contact: it is refused outside Development.</summary>
    public static void CheckClock(JourneyHostOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (options.Clock == HostClock.Virtual && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Host:Clock is Virtual in {environment.EnvironmentName}: the virtual clock (--clock virtual) is for Development only, where no real contact waits on it.");
        }
    }

    /// <summary>
    /// In Production, unsubscribe links must reach the contact: <c>Sending:PublicBaseUrl</c> must be an https URL
    /// of a host that is not loopback (the default points at this machine, which no recipient can reach).
    /// </summary>
    public static void CheckPublicBaseUrl(SendingOptions sending, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(sending);
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsProduction())
        {
            return;
        }

        if (!Uri.TryCreate(sending.PublicBaseUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || url.IsLoopback
            || url.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Sending:PublicBaseUrl is '{sending.PublicBaseUrl}': in Production unsubscribe links need the public https address of this host (e.g. https://journeys.example.com); set Sending:PublicBaseUrl (JOURNEYS_Sending__PublicBaseUrl).");
        }
    }

    /// <summary>The first configured URL with a fixed port, for unsubscribe links when Sending:PublicBaseUrl is not set.</summary>
    private static string? PublicUrl(string? urls)
    {
        var first = (urls ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) && uri.Port > 0 && uri.IsLoopback ? uri.GetLeftPart(UriPartial.Authority) : null;
    }

    /// <summary>The addresses Kestrel listens on (with the real port when the configured one was 0).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>What the serve command prints once the host listens: where to look and how to start.</summary>
    public static string DescribeStartup(WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeys>();
        var report = app.Services.GetRequiredService<StartupReport>();
        var environment = app.Services.GetRequiredService<IHostEnvironment>();
        var url = Addresses(app).FirstOrDefault() ?? DefaultUrl;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"JourneyFunctions is running ({environment.EnvironmentName}).");
        text.AppendLine(CultureInfo.InvariantCulture, $"  Dashboard {url}/   (sign in with the API key)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  API       {url}/api   (health: {url}/health)");
        // A configured key is never printed (the banner ends up in logs); only the well-known Development default is.
        var shownKey = keys.IsDevelopmentDefault ? keys.ApiKey : "$JOURNEYS_Host__ApiKey";
        text.AppendLine(keys.IsDevelopmentDefault
            ? $"  API key   {keys.ApiKey}   (Development default; set Host:ApiKey or --api-key)"
            : "  API key   the configured Host:ApiKey (not shown)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  Storage   {app.Configuration["Storage:Provider"] ?? "Memory"}");
        var provider = app.Configuration["Email:Provider"] is { Length: > 0 } p ? p : "Outbox";
        text.AppendLine(CultureInfo.InvariantCulture, $"  Email     {(provider.Equals("Outbox", StringComparison.OrdinalIgnoreCase) ? "outbox " + Path.GetFullPath(app.Configuration["Email:Outbox:Directory"] ?? "outbox") : provider)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  Journeys  {report.JourneysDirectory ?? "(no journeys folder found)"}");
        foreach (var journey in report.Journeys)
        {
            text.AppendLine(journey.Problems.Count == 0
                ? string.Create(CultureInfo.InvariantCulture, $"    ok      {journey.Id} v{journey.Version}{(journey.Unchanged ? " (unchanged)" : string.Empty)}   {journey.File}")
                : string.Create(CultureInfo.InvariantCulture, $"    SKIPPED {journey.File}: {journey.Problems.Count} problem(s)"));
            foreach (var problem in journey.Problems)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"              {problem}");
            }
        }

        var clock = app.Services.GetRequiredService<TimeProvider>() as VirtualClock;
        text.AppendLine(clock is null
            ? "  Clock     system"
            : string.Create(CultureInfo.InvariantCulture, $"  Clock     virtual, now {clock.GetUtcNow():yyyy-MM-dd HH:mm} UTC (move it forward: journeys clock advance PT1H)"));
        text.AppendLine();
        text.AppendLine("Try it (the README's first steps):");
        text.AppendLine("  1. A sign-up: the welcome email is in the outbox within seconds.");
        text.AppendLine(CultureInfo.InvariantCulture, $"  curl -s -X POST {url}/api/events -H \"X-Api-Key: {shownKey}\" -H \"Content-Type: application/json\" \\");
        text.AppendLine(CultureInfo.InvariantCulture, $"    -d '{FirstEvents.Subscribed}'");
        text.AppendLine("  2. A cart left behind: the reminder goes out an hour later, in Madrid's send window (Mon-Sat 09:00-20:00).");
        text.AppendLine(CultureInfo.InvariantCulture, $"  curl -s -X POST {url}/api/events -H \"X-Api-Key: {shownKey}\" -H \"Content-Type: application/json\" \\");
        text.AppendLine(CultureInfo.InvariantCulture, $"    -d '{FirstEvents.CartUpdated}'");
        text.AppendLine(clock is null
            ? "  3. Not waiting the hour: restart with serve --clock virtual, then move its clock to the reminder."
            : "  3. Skip the hour: move the clock to the next timer (run it again if the reminder waits for Madrid's window).");
        if (clock is not null)
        {
            text.AppendLine("  dotnet run --project src/JourneyFunctions.Cli --no-build -- clock next");
            text.AppendLine(CultureInfo.InvariantCulture, $"    (or: curl -s -X POST {url}{DevClockApi.Route}/advance -H \"X-Api-Key: {shownKey}\" -H \"Content-Type: application/json\" -d '{{\"toNextTimer\":true}}')");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  curl -s {url}/api/contacts/ana -H \"X-Api-Key: {shownKey}\"");
        text.AppendLine("Walk through every flow with docs/api.http. Ctrl+C stops.");
        return text.ToString();
    }
}

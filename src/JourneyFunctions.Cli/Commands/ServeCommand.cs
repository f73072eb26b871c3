using System.CommandLine;
using System.Globalization;
using JourneyFunctions.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys serve</c>: the built-in host on 127.0.0.1:7071 with embedded storage and the .eml outbox, the sample
/// journeys published, and a banner saying where to look. Without an environment set it runs as Development, so a
/// fresh clone needs no configuration (API key <c>dev-key</c>); set <c>DOTNET_ENVIRONMENT=Production</c> and an API key
/// to self-host.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, e.g. http://127.0.0.1:7071 (default) or http://0.0.0.0:8080." };
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 (shorthand for --urls http://127.0.0.1:<port>)." };
        var journeys = new Option<string?>("--journeys") { Description = "Folder of journey files published at start (default: ./journeys, else the repository's)." };
        var templates = new Option<string?>("--templates") { Description = "Folder of email templates (default: ./templates, else the repository's)." };
        var storage = new Option<string?>("--storage") { Description = "memory (default), azurite (UseDevelopmentStorage=true unless Storage:ConnectionString is set) or azure." };
        storage.AcceptOnlyFromAmong("memory", "azurite", "azure");
        var apiKey = new Option<string?>("--api-key") { Description = "The API key (Host:ApiKey); Development defaults to dev-key." };
        var environment = new Option<string?>("--environment") { Description = "Development (default when DOTNET_ENVIRONMENT is unset) or Production." };
        var clock = new Option<string?>("--clock") { Description = "system (default) or virtual: Development only, a clock `journeys clock advance PT1H` (or POST /api/dev/clock/advance) moves forward, so an hour-long wait ends now." };
        clock.AcceptOnlyFromAmong("system", "virtual");

        var command = new Command("serve", "Run the HTTP API and the journey runner on this machine.")
        {
            urls, port, journeys, templates, storage, apiKey, environment, clock,
        };

        // Anything else (--Section:Key=value) is configuration, as for any ASP.NET Core app.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(port) is { } p)
            {
                overrides["urls"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{p}");
            }

            if (parse.GetValue(urls) is { Length: > 0 } u)
            {
                overrides["urls"] = u;
            }

            if (parse.GetValue(journeys) is { Length: > 0 } j)
            {
                overrides["Host:JourneysDirectory"] = Path.GetFullPath(j);
            }

            if (parse.GetValue(templates) is { Length: > 0 } t)
            {
                overrides["Templates:Directory"] = Path.GetFullPath(t);
            }

            switch (parse.GetValue(storage))
            {
                case "memory":
                    overrides["Storage:Provider"] = "Memory";
                    break;
                case "azurite":
                    overrides["Storage:Provider"] = "AzureStorage";
                    defaults["Storage:ConnectionString"] = "UseDevelopmentStorage=true";
                    break;
                case "azure":
                    overrides["Storage:Provider"] = "AzureStorage";
                    break;
            }

            switch (parse.GetValue(clock))
            {
                case "virtual":
                    overrides["Host:Clock"] = "Virtual";
                    break;
                case "system":
                    overrides["Host:Clock"] = "System";
                    break;
            }

            if (parse.GetValue(apiKey) is { Length: > 0 } key)
            {
                overrides["Host:ApiKey"] = key;
            }

            var environmentName = parse.GetValue(environment)
                ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
                ?? Environments.Development;

            // The first line a user sees once the build is done: the journeys load and the banner follows in seconds.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"journeys serve: starting the host ({environmentName}); publishing the journeys..."));
            WebApplication app;
            try
            {
                app = JourneyHost.BuildApp(JourneyHost.CreateBuilder([.. parse.UnmatchedTokens], overrides, defaults, environmentName));
            }
            catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException)
            {
                await Console.Error.WriteLineAsync($"journeys serve: {ex.Message}");
                return 1;
            }

            await using (app)
            {
                try
                {
                    await app.StartAsync(cancellationToken);
                }
                catch (IOException ex)
                {
                    await Console.Error.WriteLineAsync($"journeys serve: cannot listen: {ex.Message} (try --port)");
                    return 1;
                }

                Console.WriteLine(JourneyHost.DescribeStartup(app));
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        });
        return command;
    }
}

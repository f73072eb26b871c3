using Microsoft.Extensions.Configuration;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// The configuration a command reads settings from, the sources the built-in host started in the current folder reads
/// too: <c>appsettings.json</c> (optional), environment variables, and environment variables with the <c>JOURNEYS_</c>
/// prefix (e.g. <c>Suppressions__Key</c>, <c>Webhooks__Secrets__crm-token</c>).
/// </summary>
internal static class CliConfiguration
{
    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(Directory.GetCurrentDirectory())
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddEnvironmentVariables("JOURNEYS_")
        .Build();
}

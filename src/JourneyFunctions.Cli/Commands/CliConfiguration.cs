using Microsoft.Extensions.Configuration;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// The configuration a command reads settings from, the sources the built-in host started in the current folder reads
/// too: <c>appsettings.json</c> and <c>appsettings.{environment}.json</c> (optional; the environment from
/// <c>ASPNETCORE_ENVIRONMENT</c>, else <c>DOTNET_ENVIRONMENT</c>, else Production, as the host's web builder picks it),
/// environment variables, and environment variables with the <c>JOURNEYS_</c> prefix (e.g. <c>Suppressions__Key</c>,
/// <c>Webhooks__Secrets__crm-token</c>). Without the environment's file a secret configured only there would be
/// reported missing by <c>journeys validate</c> although the host has it.
/// </summary>
internal static class CliConfiguration
{
    public static IConfiguration Load() => Load(
        Directory.GetCurrentDirectory(),
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production");

    public static IConfiguration Load(string folder, string environment) => new ConfigurationBuilder()
        .SetBasePath(folder)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{environment}.json", optional: true)
        .AddEnvironmentVariables()
        .AddEnvironmentVariables("JOURNEYS_")
        .Build();
}

using JourneyFunctions.Core.Security;
using Microsoft.Extensions.Configuration;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// The webhook secret names (<c>Webhooks:Secrets</c>) of <see cref="CliConfiguration"/>. Names only; the values are
/// never read out of the configuration here.
/// </summary>
internal sealed class ConfiguredSecrets(IConfiguration configuration) : IWebhookSecretNames
{
    private const string Section = "Webhooks:Secrets";

    public static ConfiguredSecrets FromConfiguration() => new(CliConfiguration.Load());

    public bool IsConfigured(string name) => !string.IsNullOrEmpty(configuration.GetSection(Section)[name]);
}

using JourneyFunctions.Core.Security;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Webhooks;

/// <summary>The secret names of <see cref="WebhookOptions.Secrets"/> (the values stay with the webhook client).</summary>
public sealed class ConfiguredWebhookSecretNames(IOptionsMonitor<WebhookOptions> options) : IWebhookSecretNames
{
    public bool IsConfigured(string name) =>
        options.CurrentValue.Secrets.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value);
}

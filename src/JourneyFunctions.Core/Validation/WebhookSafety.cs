using System.Net;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Security;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// What publishing refuses in webhook steps so that a journey cannot reach inside the network or carry a secret: a URL
/// whose host is a literal internal IP (<c>127.1</c>, <c>10.0.0.5</c>, <c>[::1]</c>, <c>169.254.169.254</c>, <c>2130706433</c>)
/// and a credential header with a literal value instead of a <c>{{secret:NAME}}</c> reference. Host names are checked
/// where only the network can tell, at connect time (the webhook client).
/// </summary>
internal static class WebhookSafety
{
    public static void Check(JourneyDefinition journey, List<ValidationError> errors)
    {
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            if (journey.Steps[i] is not WebhookStep webhook)
            {
                continue;
            }

            var path = JsonPaths.Index("$.steps", i);
            if (Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri)
                && uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                && IPAddress.TryParse(uri.DnsSafeHost, out var address)
                && !NetworkAddresses.IsPublic(address))
            {
                errors.Add(new ValidationError(path + ".url", ValidationCodes.InvalidUrl,
                    $"\"{webhook.Url}\" points at an internal address ({address}): webhooks may only call public hosts; write the host's name (an internal host must be listed in Webhooks:AllowedHosts)"));
            }

            foreach (var (name, value) in webhook.Headers ?? new Dictionary<string, string>())
            {
                if (WebhookSecrets.IsSensitiveHeader(name) && !WebhookSecrets.IsByReference(value ?? string.Empty))
                {
                    errors.Add(new ValidationError(JsonPaths.Property(path + ".headers", name), ValidationCodes.InvalidValue,
                        $"the {name} header holds a secret written in the journey: reference it by name instead, e.g. \"Bearer {{{{secret:crm-token}}}}\", and set its value in the configuration Webhooks:Secrets:crm-token"));
                }
            }
        }
    }

    /// <summary>
    /// A warning for each <c>{{secret:NAME}}</c> in a webhook header that <paramref name="secrets"/> does not hold: the
    /// journey may be published before the secret is set, but the step would fail permanently if it ran now.
    /// </summary>
    public static void CheckSecretsConfigured(JourneyDefinition journey, IWebhookSecretNames secrets, List<ValidationError> warnings)
    {
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            if (journey.Steps[i] is not WebhookStep { Headers: { } headers })
            {
                continue;
            }

            foreach (var (name, value) in headers)
            {
                foreach (var secret in WebhookSecrets.Names(value ?? string.Empty).Distinct(StringComparer.Ordinal).Where(n => !secrets.IsConfigured(n)))
                {
                    warnings.Add(new ValidationError(JsonPaths.Property(JsonPaths.Index("$.steps", i) + ".headers", name), ValidationCodes.UnconfiguredSecret,
                        $"the secret \"{secret}\" is not configured: set Webhooks:Secrets:{secret} (an app setting, or a Key Vault reference in Azure) before the step runs, or it fails"));
                }
            }
        }
    }
}

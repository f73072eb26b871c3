using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Tests.Validation;

/// <summary>A webhook header's <c>{{secret:NAME}}</c> that the configuration does not hold is a warning with its path.</summary>
public sealed class SecretWarningTests
{
    private const string Journey = """
        {
          "id": "crm-sync",
          "name": "CRM sync",
          "trigger": { "event": "order.placed" },
          "steps": [
            { "id": "tag", "type": "tags", "add": ["customer"] },
            { "id": "crm", "type": "webhook", "url": "https://crm.example.com/hooks/order",
              "headers": { "Authorization": "Bearer {{secret:crm-token}}", "X-Api-Key": "{{ secret:crm-key }}", "X-Trace": "{{secret:crm-key}}-{{secret:crm-key}}", "Accept": "application/json" } }
          ]
        }
        """;

    [Fact]
    public void Validate_SecretNotConfigured_WarningWithItsHeaderPath()
    {
        var result = JourneyValidator.Validate(Journey, templates: null, secrets: new Names("crm-token"));

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        Assert.Equal(
            [("$.steps[1].headers['X-Api-Key']", ValidationCodes.UnconfiguredSecret), ("$.steps[1].headers['X-Trace']", ValidationCodes.UnconfiguredSecret)],
            result.Warnings.Select(w => (w.Path, w.Code)).Order().ToArray());
        Assert.All(result.Warnings, w => Assert.Contains("Webhooks:Secrets:crm-key", w.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EverySecretConfigured_NoWarning()
    {
        var result = JourneyValidator.Validate(Journey, templates: null, secrets: new Names("crm-token", "crm-key"));

        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Validate_NoSecretNamesGiven_NotChecked()
    {
        var result = JourneyValidator.Validate(Journey);

        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
    }

    private sealed class Names(params string[] configured) : IWebhookSecretNames
    {
        public bool IsConfigured(string name) => configured.Contains(name, StringComparer.Ordinal);
    }
}

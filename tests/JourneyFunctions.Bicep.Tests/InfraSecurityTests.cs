using System.Text.Json;
using System.Text.Json.Nodes;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>The security and hosting properties the design promises, read from the ARM JSON bicep compiled.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class InfraSecurityTests(CompiledInfraFixture infra)
{
    private const string AppPrincipal = "[parameters('appPrincipalId')]";

    private ArmTemplate Template
    {
        get
        {
            Assert.True(infra.Build.ExitCode == 0, "bicep build failed:" + Environment.NewLine + infra.Build.Describe());
            return infra.Template;
        }
    }

    [Fact]
    public void StorageAccount_SharedKeyAccess_IsDisabled()
    {
        var storage = Template.Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage.Properties!["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(storage.Properties!["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", (string?)storage.Properties!["minimumTlsVersion"]);
    }

    [Fact]
    public void Monitoring_LocalAuth_IsDisabledOnApplicationInsightsAndLogAnalytics()
    {
        var insights = Template.Single("Microsoft.Insights/components");
        var workspace = Template.Single("Microsoft.OperationalInsights/workspaces");

        Assert.True(insights.Properties!["DisableLocalAuth"]!.GetValue<bool>());
        Assert.True(workspace.Properties!["features"]!["disableLocalAuth"]!.GetValue<bool>());
        Assert.NotNull(insights.Properties!["WorkspaceResourceId"]);
    }

    [Fact]
    public void CommunicationServices_LocalAuth_IsDisabled()
    {
        var acs = Template.Single("Microsoft.Communication/communicationServices");

        Assert.True(acs.Properties!["disableLocalAuth"]!.GetValue<bool>());
        Assert.NotNull(acs.Properties!["linkedDomains"]);
    }

    [Fact]
    public void FunctionApp_Plan_IsFlexConsumptionFC1()
    {
        var plan = Template.Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string?)plan.Body["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan.Body["sku"]!["tier"]);
        Assert.True(plan.Properties!["reserved"]!.GetValue<bool>());
    }

    [Fact]
    public void FunctionApp_Runtime_IsDotnetIsolated10WithIdentityDeployment()
    {
        var site = Template.Single("Microsoft.Web/sites");
        var config = site.Properties!["functionAppConfig"]!;

        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("blobContainer", (string?)config["deployment"]!["storage"]!["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);
        Assert.Equal("UserAssigned", (string?)site.Body["identity"]!["type"]);
        Assert.True(site.Properties!["httpsOnly"]!.GetValue<bool>());
    }

    [Fact]
    public void FunctionApp_PublishingCredentials_AreDisabled()
    {
        var policies = Template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False(p.Properties!["allow"]!.GetValue<bool>()));
    }

    [Fact]
    public void FunctionApp_AppSettings_UseIdentityBasedStorage()
    {
        var settings = AppSettings();

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        foreach (var key in new[] { "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri" })
        {
            Assert.True(settings.ContainsKey(key), $"{key} is missing.");
        }

        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage must not be a connection string.");
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_AppSettings_HoldNoSecretsOrConnectionStrings()
    {
        var settings = AppSettings();
        string[] forbiddenValueParts = ["AccountKey=", "SharedAccessSignature", "accesskey=", "listKeys(", "listkeys(", "SharedAccessKey", "Password="];

        foreach (var (name, value) in settings)
        {
            Assert.DoesNotContain(forbiddenValueParts, part => value.Contains(part, StringComparison.OrdinalIgnoreCase));
            if (name.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase))
            {
                // Application Insights' connection string only names the ingestion endpoint: local auth is disabled,
                // so it authorises nothing (the app authenticates with APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
                Assert.Equal("APPLICATIONINSIGHTS_CONNECTION_STRING", name);
            }
        }

        // Flex Consumption takes these from functionAppConfig and refuses them as app settings.
        Assert.False(settings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"));
        Assert.False(settings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"));
    }

    [Fact]
    public void UnsubscribeSigningKey_ReachesTheAppOnlyAsKeyVaultReference()
    {
        var settings = AppSettings();
        var vaultModule = JsonSerializer.Serialize(Template.Module("keyVault"));

        Assert.Equal("[parameters('unsubscribeSigningKeyReference')]", settings["Unsubscribe__Keys__0__Secret"]);
        Assert.Contains("@Microsoft.KeyVault(VaultName={0};SecretName={1})", vaultModule, StringComparison.Ordinal);
        var functionModule = Template.OfType("Microsoft.Resources/deployments").Single(d => d.Symbol == "functionApp");
        Assert.Contains("signingKeyReference", functionModule.Properties!["parameters"]!["unsubscribeSigningKeyReference"]!.ToJsonString(), StringComparison.Ordinal);
        var vault = Template.Single("Microsoft.KeyVault/vaults");
        Assert.True(vault.Properties!["enableRbacAuthorization"]!.GetValue<bool>());
    }

    [Fact]
    public void SuppressionsKey_ReachesTheAppOnlyAsKeyVaultReference()
    {
        // Without Suppressions__Key the app refuses to start outside Development (AddressHashServiceCollectionExtensions).
        var settings = AppSettings();
        var vaultModule = JsonSerializer.Serialize(Template.Module("keyVault"));

        Assert.Equal("[parameters('suppressionsKeyReference')]", settings["Suppressions__Key"]);
        Assert.Contains("suppressions-key", vaultModule, StringComparison.Ordinal);
        var functionModule = Template.OfType("Microsoft.Resources/deployments").Single(d => d.Symbol == "functionApp");
        Assert.Contains("suppressionsKeyReference", functionModule.Properties!["parameters"]!["suppressionsKeyReference"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("securestring", (string?)Template.Root["parameters"]!["suppressionsKey"]!["type"]);
    }

    [Fact]
    public void Template_Outputs_ExposeNoSecret()
    {
        var outputs = Template.Root["outputs"]!.AsObject();

        Assert.DoesNotContain(outputs, o => o.Key.Contains("KEY", StringComparison.OrdinalIgnoreCase) && !o.Key.Contains("KEY_VAULT", StringComparison.Ordinal));
        Assert.Equal("securestring", (string?)Template.Root["parameters"]!["unsubscribeSigningKey"]!["type"]);
    }

    [Theory]
    [InlineData("storage", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b")] // Storage Blob Data Owner
    [InlineData("storage", "974c5e8b-45b9-4653-ba55-5f855dd0fb88")] // Storage Queue Data Contributor
    [InlineData("storage", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3")] // Storage Table Data Contributor
    [InlineData("monitoring", "3913510d-42f4-4e42-8a64-420c390055eb")] // Monitoring Metrics Publisher
    [InlineData("communication", "09976791-48a7-449e-bb21-39d1a415f350")] // Communication and Email Service Owner
    [InlineData("keyVault", "4633458b-17de-408a-b874-0445c86b69e6")] // Key Vault Secrets User
    public void RoleAssignments_AppIdentity_GetsRole(string module, string roleDefinitionGuid)
    {
        var template = Template.Module(module);
        var variables = template["variables"]?.AsObject() ?? [];
        // Variables holding the role id directly, or a list of role ids a copy loop walks.
        var scalarNames = variables.Where(v => v.Value is JsonValue && (string?)v.Value == roleDefinitionGuid).Select(v => v.Key).ToList();
        var listNames = variables
            .Where(v => v.Value is JsonArray a && a.Any(i => (string?)i == roleDefinitionGuid || scalarNames.Any(n => (string?)i == $"[variables('{n}')]")))
            .Select(v => v.Key)
            .ToList();

        var assignments = Template.Resources
            .Where(r => r.Module == module && r.Type.Equals("Microsoft.Authorization/roleAssignments", StringComparison.OrdinalIgnoreCase))
            .Where(r => (string?)r.Properties!["principalId"] == AppPrincipal)
            .ToList();

        Assert.Contains(assignments, r =>
        {
            var roleId = (string?)r.Properties!["roleDefinitionId"] ?? string.Empty;
            var loop = r.Body["copy"]?["count"]?.ToString() ?? string.Empty;
            return roleId.Contains(roleDefinitionGuid, StringComparison.Ordinal)
                || scalarNames.Any(n => roleId.Contains($"variables('{n}')", StringComparison.Ordinal))
                || listNames.Any(n => loop.Contains($"variables('{n}')", StringComparison.Ordinal) && roleId.Contains($"variables('{n}')[copyIndex()]", StringComparison.Ordinal));
        });
    }

    [Fact]
    public void EventGrid_Subscription_DeliversBothEmailReportsToTheWebhookWithEntraIdAuth()
    {
        var topic = Template.Single("Microsoft.EventGrid/systemTopics");
        var subscription = Template.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        var destination = subscription.Properties!["destination"]!;
        var types = subscription.Properties!["filter"]!["includedEventTypes"]!.AsArray().Select(t => (string?)t).ToList();

        Assert.Equal("Microsoft.Communication.CommunicationServices", (string?)topic.Properties!["topicType"]);
        Assert.Equal("WebHook", (string?)destination["endpointType"]);
        Assert.Equal("[parameters('endpointUrl')]", (string?)destination["properties"]!["endpointUrl"]);
        Assert.Equal("[parameters('azureActiveDirectoryApplicationIdOrUri')]", (string?)destination["properties"]!["azureActiveDirectoryApplicationIdOrUri"]);
        Assert.Equal("[parameters('azureActiveDirectoryTenantId')]", (string?)destination["properties"]!["azureActiveDirectoryTenantId"]);
        Assert.Equal(["Microsoft.Communication.EmailDeliveryReportReceived", "Microsoft.Communication.EmailEngagementTrackingReportReceived"], types.Order(StringComparer.Ordinal));

        // No key of any kind in the endpoint URL: the credential is the Entra ID token alone.
        var module = Template.Module("eventGrid");
        var parameters = Template.OfType("Microsoft.Resources/deployments").Single(r => r.Symbol == "eventGrid").Body;
        var url = parameters["properties"]!["parameters"]!["endpointUrl"]!["value"]!.ToString();
        Assert.Contains("https://{0}/api/eventgrid'", url, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", url, StringComparison.Ordinal);
        Assert.DoesNotContain("listKeys", url, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, module["parameters"]!["azureActiveDirectoryApplicationIdOrUri"]!["minLength"]!.GetValue<int>());
        Assert.Equal("[parameters('eventGridApplicationIdOrUri')]", parameters["properties"]!["parameters"]!["azureActiveDirectoryApplicationIdOrUri"]!["value"]!.ToString());
        Assert.Equal("[parameters('eventGridTenantId')]", parameters["properties"]!["parameters"]!["azureActiveDirectoryTenantId"]!["value"]!.ToString());
    }

    [Fact]
    public void FunctionApp_ValidatesEventGridTokensForTheSameTenantAndAudience()
    {
        var settings = AppSettings();
        var functionModule = Template.Module("functionApp");

        Assert.Equal("[parameters('eventGridTenantId')]", settings["EventGrid__TenantId"]);
        Assert.Equal("[parameters('eventGridApplicationIdOrUri')]", settings["EventGrid__Audience"]);
        Assert.Equal("[parameters('eventGridClientId')]", settings["EventGrid__AllowedClientIds__0"]);
        Assert.Equal("4962773b-9cdb-44cf-a8bf-237846a00ab7", functionModule["parameters"]!["eventGridClientId"]!["defaultValue"]!.ToString());
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("EventGrid__Secret", StringComparison.Ordinal));
        Assert.Equal("[tenant().tenantId]", Template.Root["parameters"]!["eventGridTenantId"]!["defaultValue"]!.ToString());
    }

    private Dictionary<string, string> AppSettings()
    {
        var functionModule = Template.Module("functionApp");
        var settings = functionModule["variables"]!["appSettings"]!.AsObject();
        var config = Template.Single("Microsoft.Web/sites/config");
        Assert.Contains("variables('appSettings')", (string?)config.Properties, StringComparison.Ordinal);
        return settings.ToDictionary(kv => kv.Key, kv => kv.Value!.ToString());
    }
}

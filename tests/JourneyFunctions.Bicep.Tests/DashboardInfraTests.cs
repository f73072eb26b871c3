using System.Text.Json;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>The dashboard's Azure convention: a Standard static web app whose /api backend is the Functions app, behind Entra ID.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class DashboardInfraTests(CompiledInfraFixture infra)
{
    [Fact]
    public void StaticWebApp_IsStandard_WithTheFunctionAppLinkedAsBackend()
    {
        Assert.True(infra.Build.ExitCode == 0, "bicep build failed:" + Environment.NewLine + infra.Build.Describe());
        var site = infra.Template.Single("Microsoft.Web/staticSites");
        Assert.Equal("Standard", (string?)site.Body["sku"]!["name"]);
        Assert.Equal("Disabled", (string?)site.Properties!["stagingEnvironmentPolicy"]);
        Assert.Contains("azd-service-name", site.Body["tags"]!.ToJsonString(), StringComparison.Ordinal);

        var backend = infra.Template.Single("Microsoft.Web/staticSites/linkedBackends");
        Assert.Contains("functionAppId", backend.Properties!["backendResourceId"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("dashboard", infra.Template.Module("dashboard").ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StaticWebAppConfig_RequiresEntraIdSignInAndTheMarketerRoleOnEveryRoute()
    {
        var path = Path.Combine(InfraPaths.Root, "src", "JourneyFunctions.Dashboard", "wwwroot", "staticwebapp.config.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var routes = config.RootElement.GetProperty("routes").EnumerateArray().ToList();
        var all = routes.Single(r => r.GetProperty("route").GetString() == "/*");
        Assert.Equal(["marketer"], all.GetProperty("allowedRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("/.auth/login/aad", config.RootElement.GetProperty("responseOverrides").GetProperty("401").GetProperty("redirect").GetString());
        foreach (var provider in new[] { "github", "twitter" })
        {
            Assert.Equal(404, routes.Single(r => r.GetProperty("route").GetString() == $"/.auth/login/{provider}").GetProperty("statusCode").GetInt32());
        }
    }
}

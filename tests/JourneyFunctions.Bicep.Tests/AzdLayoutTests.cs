using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>azd's view of the repository: azure.yaml, main.parameters.json and the template must agree.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class AzdLayoutTests(CompiledInfraFixture infra)
{
    [Fact]
    public void ParametersFile_CoversEveryRequiredParameterAndNoUnknownOne()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.Describe());
        var declared = infra.Template.Root["parameters"]!.AsObject();
        var supplied = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraPaths.Infra, "main.parameters.json")))!["parameters"]!.AsObject();

        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.All(required, name => Assert.True(supplied.ContainsKey(name), $"main.parameters.json does not supply required parameter {name}."));
        Assert.All(supplied, p => Assert.True(declared.ContainsKey(p.Key), $"main.parameters.json supplies {p.Key}, which main.bicep does not declare."));
    }

    [Fact]
    public void ParametersFile_SigningKey_ComesFromTheAzdEnvironmentWhichTheHookFills()
    {
        var supplied = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraPaths.Infra, "main.parameters.json")))!["parameters"]!;
        var yaml = File.ReadAllText(Path.Combine(InfraPaths.Root, "azure.yaml"));

        // Generated once into the azd environment, so a redeploy writes the same key and sent links keep working.
        Assert.Equal("${UNSUBSCRIBE_SIGNING_KEY}", (string?)supplied["unsubscribeSigningKey"]!["value"]);
        Assert.Contains("azd env set UNSUBSCRIBE_SIGNING_KEY", yaml, StringComparison.Ordinal);
        Assert.Equal(32, infra.Template.Root["parameters"]!["unsubscribeSigningKey"]!["minLength"]!.GetValue<int>());
    }

    [Fact]
    public void AzureYaml_ApiService_PointsAtTheFunctionAppProject()
    {
        var yaml = File.ReadAllText(Path.Combine(InfraPaths.Root, "azure.yaml"));

        var project = ServiceProject().Match(yaml);
        Assert.True(project.Success, "azure.yaml has no api service with a project.");
        var projectDir = Path.Combine(InfraPaths.Root, project.Groups["path"].Value.Trim().TrimStart('.', '/'));
        Assert.True(File.Exists(Path.Combine(projectDir, "JourneyFunctions.FunctionApp.csproj")), $"{projectDir} holds no JourneyFunctions.FunctionApp.csproj.");
        Assert.Matches(@"(?m)^\s+host:\s*function\s*$", yaml);
        Assert.Matches(@"(?m)^\s+language:\s*dotnet\s*$", yaml);
    }

    [Fact]
    public void HostJson_DurableAndQueueSettings_ArePresent()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(InfraPaths.Root, "host.json")));
        var extensions = host.RootElement.GetProperty("extensions");

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.False(string.IsNullOrEmpty(extensions.GetProperty("durableTask").GetProperty("hubName").GetString()));
        Assert.Equal(5, extensions.GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());
        // The event queue's bodies are base64 (Infrastructure AzureEventQueue), the trigger's default decoding.
        Assert.Equal("base64", extensions.GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void EventGridSubscription_TargetsTheAppsEventGridWebhookRoute()
    {
        // The WebHook endpoint is the route both hosts serve (ApiRoutes.Templates.EventGrid under the api prefix).
        var main = File.ReadAllText(InfraPaths.MainBicep);
        var routes = File.ReadAllText(Path.Combine(InfraPaths.Root, "src", "JourneyFunctions.Api", "ApiRoutes.cs"));

        Assert.Contains("endpointUrl: 'https://${functionApp.outputs.defaultHostName}/api/eventgrid'", main, StringComparison.Ordinal);
        Assert.Matches(@"public const string EventGrid = ""eventgrid"";", routes);
        Assert.Matches(@"public const string Prefix = ""api"";", routes);
    }

    [Fact]
    public void EventsQueue_IsTheSameInBicepAndTheQueueTrigger()
    {
        var bicep = File.ReadAllText(Path.Combine(InfraPaths.Infra, "app", "function.bicep"));
        var functions = File.ReadAllText(Path.Combine(InfraPaths.Root, "src", "JourneyFunctions.FunctionApp", "QueueFunctions.cs"));

        var queue = Regex.Match(bicep, @"param eventsQueueName string = '(?<name>[^']+)'").Groups["name"].Value;
        Assert.Equal("journey-events", queue);
        Assert.Contains($"public const string EventsQueue = \"{queue}\";", functions, StringComparison.Ordinal);
        Assert.Contains("[QueueTrigger(EventsQueue", functions, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?ms)^\s+api:\s*$.*?^\s+project:\s*(?<path>\S+)\s*$")]
    private static partial Regex ServiceProject();
}

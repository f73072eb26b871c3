using System.Text.Json;
using JourneyFunctions.Api;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.FunctionApp.Tests;

/// <summary>
/// The <c>functions.metadata</c> the Worker SDK generates at build time (what the Functions host indexes, read from
/// the Functions app's own output folder): every function with its trigger and binding settings, and route parity
/// with the one route table the built-in host maps (<see cref="ApiRoutes.All"/>).
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<IReadOnlyList<FunctionMetadata>> Functions = new(Load);

    /// <summary>One function as the host sees it: its trigger binding's settings.</summary>
    public sealed record FunctionMetadata(string Name, string EntryPoint, string Trigger, string? AuthLevel, IReadOnlyList<string> Methods, string? Route, string? QueueName, string? Connection, string? Schedule, IReadOnlyList<string> OtherBindings);

    private static string MetadataPath()
    {
        // tests/JourneyFunctions.FunctionApp.Tests/bin/<Configuration>/net10.0/ -> src/JourneyFunctions.FunctionApp/bin/<Configuration>/net10.0/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var path = Path.Combine(RepoPaths.RepoRoot, "src", "JourneyFunctions.FunctionApp", "bin", configuration, framework.Name, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: the Functions app's build generates it.");
        return path;
    }

    private static IReadOnlyList<FunctionMetadata> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MetadataPath()));
        var functions = new List<FunctionMetadata>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var bindings = function.GetProperty("bindings").EnumerateArray().ToList();
            var trigger = bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            functions.Add(new FunctionMetadata(
                function.GetProperty("name").GetString()!,
                function.GetProperty("entryPoint").GetString()!,
                trigger.GetProperty("type").GetString()!,
                Text(trigger, "authLevel"),
                trigger.TryGetProperty("methods", out var methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!)] : [],
                Text(trigger, "route"),
                Text(trigger, "queueName"),
                Text(trigger, "connection"),
                Text(trigger, "schedule"),
                [.. bindings.Where(b => !b.Equals(trigger)).Select(b => $"{b.GetProperty("type").GetString()}:{b.GetProperty("direction").GetString()}")]));
        }

        return functions;
    }

    private static string? Text(JsonElement binding, string name) => binding.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static FunctionMetadata Function(string name) => Assert.Single(Functions.Value, f => f.Name == name);

    [Fact]
    public void Metadata_ListsExactlyTheAppsFunctions()
    {
        string[] expected =
        [
            .. ApiRoutes.All.Select(r => r.Name),
            JourneyOrchestration.OrchestratorName,
            JourneyOrchestration.LoadJourneyActivity, JourneyOrchestration.LoadContactActivity, JourneyOrchestration.ExecuteActivityName,
            JourneyOrchestration.IsJourneyPausedActivity, JourneyOrchestration.RecordResultActivity,
            nameof(QueueFunctions.RouteEvent), nameof(TimerFunctions.SweepInactiveContacts), nameof(TimerFunctions.PurgeRunHistory),
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), Functions.Value.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Metadata_DurableFunctions_AreTheOrchestratorAndItsActivities()
    {
        var orchestrator = Function(JourneyOrchestration.OrchestratorName);
        Assert.Equal("orchestrationTrigger", orchestrator.Trigger);
        Assert.Equal($"{typeof(JourneyOrchestrator).FullName}.{nameof(JourneyOrchestrator.JourneyRun)}", orchestrator.EntryPoint);
        Assert.Empty(orchestrator.OtherBindings);

        foreach (var (name, method) in new[]
        {
            (JourneyOrchestration.LoadJourneyActivity, nameof(JourneyActivities.LoadJourney)),
            (JourneyOrchestration.LoadContactActivity, nameof(JourneyActivities.LoadContact)),
            (JourneyOrchestration.ExecuteActivityName, nameof(JourneyActivities.ExecuteActivity)),
            (JourneyOrchestration.IsJourneyPausedActivity, nameof(JourneyActivities.IsJourneyPaused)),
            (JourneyOrchestration.RecordResultActivity, nameof(JourneyActivities.RecordResult)),
        })
        {
            var activity = Function(name);
            Assert.Equal("activityTrigger", activity.Trigger);
            Assert.Equal($"{typeof(JourneyActivities).FullName}.{method}", activity.EntryPoint);
        }
    }

    [Fact]
    public void Metadata_RouteEvent_IsTheEventsQueueOnTheHostStorageWithADurableClient()
    {
        var route = Function(nameof(QueueFunctions.RouteEvent));

        Assert.Equal("queueTrigger", route.Trigger);
        Assert.Equal(QueueFunctions.EventsQueue, route.QueueName);
        Assert.Equal("journey-events", route.QueueName);
        Assert.Equal("AzureWebJobsStorage", route.Connection);
        Assert.Equal(["durableClient:In"], route.OtherBindings);
    }

    [Theory]
    [InlineData(nameof(TimerFunctions.SweepInactiveContacts), "0 15 * * * *", new string[0])]
    [InlineData(nameof(TimerFunctions.PurgeRunHistory), "0 30 3 * * *", new[] { "durableClient:In" })]
    public void Metadata_TimerFunctions_HaveTheirSchedules(string name, string schedule, string[] others)
    {
        var timer = Function(name);

        Assert.Equal("timerTrigger", timer.Trigger);
        Assert.Equal(schedule, timer.Schedule);
        Assert.Equal(others, timer.OtherBindings);
    }

    public static TheoryData<string> Routes() => [.. ApiRoutes.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(Routes))]
    public void Metadata_EveryBuiltInHostRoute_HasAFunctionWithTheSameMethodRouteAndAuthorisation(string name)
    {
        var route = ApiRoutes.All.Single(r => r.Name == name);
        var function = Function(name);

        Assert.Equal("httpTrigger", function.Trigger);
        Assert.Equal([route.Method], function.Methods);
        Assert.Equal(route.Template, function.Route);
        Assert.Equal("/api/" + function.Route, route.Path);
        Assert.Equal(ExpectedAuthLevel(route.Access), function.AuthLevel);
        Assert.Contains("http:Out", function.OtherBindings);
    }

    [Fact]
    public void Metadata_EveryHttpFunction_IsARouteOfTheBuiltInHost()
    {
        var http = Functions.Value.Where(f => f.Trigger == "httpTrigger").ToList();

        Assert.All(http, f => Assert.Contains(ApiRoutes.All, r => r.Name == f.Name && r.Template == f.Route && f.Methods.SequenceEqual([r.Method])));
        Assert.Equal(ApiRoutes.All.Count, http.Count);
    }

    [Fact]
    public void Metadata_AnonymousFunctions_AreOnlyUnsubscribeAndTheSignedWebhooks()
    {
        var anonymous = Functions.Value.Where(f => f.AuthLevel == "Anonymous").Select(f => f.Name).Order(StringComparer.Ordinal);

        // Unsubscribe: authorised by its signed token. Event Grid: by its own credential (an Entra ID token, or a
        // dedicated secret), checked by the handler; a Functions key could only travel in its URL and is the admin key.
        // Storefront webhooks: by the platform's HMAC signature with the shop's secret, checked before anything is read.
        Assert.Equal(
            new[]
            {
                ApiRoutes.Names.EventGridHandshake, ApiRoutes.Names.EventGridReports, ApiRoutes.Names.Unsubscribe, ApiRoutes.Names.UnsubscribePage,
                ApiRoutes.Names.ShopifyWebhook, ApiRoutes.Names.WooCommerceWebhook,
            }.Order(StringComparer.Ordinal),
            anonymous);
        Assert.All(ApiRoutes.All.Where(r => r.Access == ApiAccess.Public), r => Assert.Equal(ApiRoutes.Templates.Unsubscribe, r.Template));
    }

    private static string ExpectedAuthLevel(ApiAccess access) => access switch
    {
        ApiAccess.ApiKey => "Function",
        ApiAccess.EventGrid => "Anonymous",
        ApiAccess.Public => "Anonymous",
        ApiAccess.StorefrontSignature => "Anonymous",
        _ => throw new ArgumentOutOfRangeException(nameof(access), access, "unknown access"),
    };
}

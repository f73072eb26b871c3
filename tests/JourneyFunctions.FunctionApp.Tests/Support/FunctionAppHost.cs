using System.Text.Json;
using DurableTask.Core;
using Grpc.Net.Client;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Storage;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp.Tests.Support;

/// <summary>Where the app's own data lives in a test (the stores of Core's ports).</summary>
public enum AppStorage
{
    Memory,
    Azurite,
}

/// <summary>
/// The Functions app as the Functions host would run it, minus the host: the app's composition
/// (<see cref="FunctionAppServiceCollectionExtensions.AddJourneyFunctionApp"/>) over memory storage or Azurite, its
/// real <see cref="JourneyOrchestrator"/> and <see cref="JourneyActivities"/> registered with a Durable Task worker
/// that talks to the engine (<see cref="DurableSidecar"/>) over gRPC, with the app's data converter
/// (<see cref="OrchestrationJson.Options"/>, what Program.cs gives the worker), and a <see cref="DurableTaskClient"/>
/// handed to the app's client functions as <c>[DurableClient]</c> would be. Durable timers run on the real clock.
/// </summary>
public sealed class FunctionAppHost : IAsyncDisposable
{
    private readonly ServiceProvider _app;
    private readonly IHost _worker;
    private readonly GrpcChannel _channel;
    private readonly DurableSidecar _sidecar;
    private readonly string _work;

    private FunctionAppHost(ServiceProvider app, IHost worker, GrpcChannel channel, DurableSidecar sidecar, TestEmailSender email, string work)
    {
        _app = app;
        _worker = worker;
        _channel = channel;
        _sidecar = sidecar;
        _work = work;
        Email = email;
        Client = worker.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>The app's services (what the Functions host resolves function classes from).</summary>
    public IServiceProvider Services => _app;

    public DurableTaskClient Client { get; }

    public TestEmailSender Email { get; }

    public static async Task<FunctionAppHost> StartAsync(
        AppStorage storage,
        Func<ILoggerFactory, Task<IOrchestrationService>>? backend = null,
        int inputsPerExecution = JourneyOrchestrationDriver.DefaultInputsPerExecution,
        TimeSpan? pauseRecheck = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var work = Directory.CreateTempSubdirectory("jf-fa-").FullName;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Templates:Directory"] = Path.Combine(RepoPaths.RepoRoot, "templates"),
            ["Unsubscribe:Keys:0:Id"] = "test",
            ["Unsubscribe:Keys:0:Secret"] = "functionapp-tests-unsubscribe-secret-32-plus-chars",
            ["Sending:PublicBaseUrl"] = "https://journeys.example.com",
            ["Email:Outbox:Directory"] = Path.Combine(work, "outbox"),
        };
        if (storage == AppStorage.Azurite)
        {
            var azurite = await SharedAzurite.GetAsync();
            values["Storage:Provider"] = "AzureStorage";
            values["Storage:ConnectionString"] = azurite.ConnectionString;
            values["Storage:TablePrefix"] = "fa" + Guid.NewGuid().ToString("N")[..10];
            values["Storage:QueueName"] = "fa-" + Guid.NewGuid().ToString("N")[..12];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        // JF_TEST_LOG=Debug (or Information) prints the engine's and the app's logs, to follow a failing run.
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("JF_TEST_LOG"), out var parsed) ? parsed : LogLevel.None;
        var loggerFactory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(level);
            if (level != LogLevel.None)
            {
                b.AddSimpleConsole(o => o.SingleLine = true);
            }
        });
        var email = new TestEmailSender();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(loggerFactory);
        services.AddLogging();
        services.AddSingleton<IEmailSender>(email);
        services.AddJourneyFunctionApp(configuration);
        services.AddSingleton(new JourneyOrchestrationDriver(inputsPerExecution, pauseRecheck));
        services.AddSingleton<JourneyOrchestrator>();
        services.AddSingleton<JourneyActivities>();
        services.AddSingleton<QueueFunctions>();
        services.AddSingleton<ContactsFunctions>();
        services.AddSingleton<UnsubscribeFunctions>();
        services.AddSingleton<EventGridFunctions>();
        services.AddSingleton<StorefrontFunctions>();
        var app = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });

        var orchestrationService = backend is null ? new InMemoryOrchestrationService(loggerFactory) : await backend(loggerFactory);
        var sidecar = await DurableSidecar.StartAsync(orchestrationService, loggerFactory);
        var channel = GrpcChannel.ForAddress(sidecar.Address);
        var worker = AppDurableWorker.Build(app, channel, loggerFactory);
        await worker.StartAsync();
        return new FunctionAppHost(app, worker, channel, sidecar, email, work);
    }


    public T Get<T>()
        where T : notnull => _app.GetRequiredService<T>();

    /// <summary>Publishes a journey through Core's publisher, as <c>PUT /api/journeys/{id}</c> does.</summary>
    public async Task PublishAsync(string json)
    {
        var result = await Get<JourneyPublisher>().PublishAsync(json);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    /// <summary>A contact event as the ingest endpoint would queue it.</summary>
    public static ContactEvent Event(string contactId, string name, object? data = null, string? email = null, string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString("N"),
        ContactId = contactId,
        Name = name,
        Data = data is null ? null : JsonSerializer.SerializeToElement(data),
        OccurredAt = DateTimeOffset.UtcNow,
        Contact = email is null ? null : new ContactPatch { Email = email, MarketingConsent = true },
    };

    /// <summary>Runs the app's queue trigger, <see cref="QueueFunctions.RouteEvent"/>, on the body the queue would hold.</summary>
    public Task RouteAsync(ContactEvent contactEvent) => RouteBodyAsync(QueueMessages.Serialize(contactEvent), new Dictionary<string, object?> { ["Id"] = contactEvent.Id, ["DequeueCount"] = "1" });

    public Task RouteBodyAsync(string body, IReadOnlyDictionary<string, object?> bindingData) =>
        Get<QueueFunctions>().RouteEvent(body, Client, new TestFunctionContext(_app, nameof(QueueFunctions.RouteEvent), bindingData));

    /// <summary><c>DELETE /api/contacts/{id}</c> through the app's HTTP function.</summary>
    public async Task EraseAsync(string contactId)
    {
        var http = new DefaultHttpContext { RequestServices = _app };
        var result = await Get<ContactsFunctions>().EraseContact(http.Request, contactId, Client, CancellationToken.None);
        await result.ExecuteAsync(http);
        Assert.Equal(StatusCodes.Status204NoContent, http.Response.StatusCode);
    }

    /// <summary>RFC 8058 one-click <c>POST /api/unsubscribe?token=</c> through the app's HTTP function.</summary>
    public async Task UnsubscribeAsync(string contactId)
    {
        var token = Get<Core.Security.UnsubscribeTokens>().Create(contactId, "marketing", DateTimeOffset.UtcNow);
        var http = new DefaultHttpContext { RequestServices = _app };
        http.Request.Method = "POST";
        http.Request.QueryString = QueryString.Create("token", token);
        http.Request.ContentType = "application/x-www-form-urlencoded";
        http.Request.Body = new MemoryStream("List-Unsubscribe=One-Click"u8.ToArray());
        http.Response.Body = new MemoryStream();
        var result = await Get<UnsubscribeFunctions>().Unsubscribe(http.Request, Client, CancellationToken.None);
        await result.ExecuteAsync(http);
        Assert.True(http.Response.StatusCode < 300, $"unsubscribe answered {http.Response.StatusCode}");
    }

    public async Task<RunState?> RunAsync(string runId) => (await Get<IRunStore>().GetAsync(runId))?.State;

    /// <summary>Waits for the run row to satisfy <paramref name="condition"/> (the orchestration records it through an activity).</summary>
    public async Task<RunState> WaitForRunAsync(string runId, Func<RunState, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        RunState? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await RunAsync(runId);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        var instance = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
        throw new TimeoutException(
            $"Run {runId}: {what} did not happen; last row: {(last is null ? "none" : JsonSerializer.Serialize(last, OrchestrationJson.Options))}; " +
            $"orchestration: {instance?.RuntimeStatus} status {instance?.SerializedCustomStatus} failure {instance?.FailureDetails?.ErrorMessage} input {instance?.SerializedInput?[..Math.Min(300, instance.SerializedInput.Length)]}");
    }

    public Task<RunState> WaitForCompletionAsync(string runId, TimeSpan? timeout = null) =>
        WaitForRunAsync(runId, r => r.Status == RunStatus.Completed, "completion", timeout);

    /// <summary>Waits until the run waits at <paramref name="stepId"/> (its row is recorded at every rest point).</summary>
    public Task<RunState> WaitForWaitingAtAsync(string runId, string stepId, TimeSpan? timeout = null) =>
        WaitForRunAsync(runId, r => r.Status == RunStatus.Waiting && r.StepId == stepId, $"waiting at {stepId}", timeout);

    /// <summary>Waits for the orchestration to finish and returns its final metadata (output = the completed run).</summary>
    public async Task<OrchestrationMetadata> WaitForOrchestrationAsync(string runId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(45));
        return await Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);
    }

    public async Task WaitForEmailsAsync(string address, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (Email.SentTo(address).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{address} got {Email.SentTo(address).Count} emails, expected {count}.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync();
        _worker.Dispose();
        await _channel.ShutdownAsync();
        _channel.Dispose();
        await _sidecar.DisposeAsync();
        await _app.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}

/// <summary>
/// One Azurite for the whole test run, shared by test classes that run in parallel (a collection fixture would
/// serialise them). Started on first use, stopped when the test process exits.
/// </summary>
public static class SharedAzurite
{
    private static readonly Lazy<Task<AzuriteFixture>> Instance = new(async () =>
    {
        var fixture = new AzuriteFixture();
        await fixture.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => fixture.DisposeAsync().GetAwaiter().GetResult();
        return fixture;
    });

    public static Task<AzuriteFixture> GetAsync() => Instance.Value;
}

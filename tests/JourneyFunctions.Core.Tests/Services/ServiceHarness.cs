using System.Collections.Concurrent;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using System.Runtime.ExceptionServices;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Tests.Scenarios;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Templates;
using JourneyFunctions.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Core.Tests.Services;

/// <summary>
/// The Core services composed as a host composes them, over the real in-memory stores and the real Liquid templates
/// of the repository, on a fake clock. Emails go to a recording sender; failures are injected where a test needs them.
/// </summary>
internal sealed class ServiceHarness : IAsyncDisposable
{
    // Monday 23 November 2026, 10:00 in Madrid (UTC+1).
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    public ServiceHarness(Action<SendingOptions>? sending = null, IEmailSender? email = null, Action<RunnerOptions>? runner = null, Func<ITemplateRenderer, ITemplateRenderer>? templates = null, Action<IServiceCollection>? configure = null)
    {
        Time = new FakeTimeProvider(Start);
        Emails = new RecordingEmailSender();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddJourneyStorage(configuration);
        services.AddJourneyCore();
        services.Configure<SendingOptions>(o =>
        {
            o.FromAddress = "shop@example.com";
            o.PublicBaseUrl = "https://shop.example";
            sending?.Invoke(o);
        });
        ITemplateRenderer renderer = new LiquidTemplateRenderer(Path.Combine(Repo.Root, "templates"));
        renderer = templates?.Invoke(renderer) ?? renderer;
        services.AddSingleton(renderer);
        services.AddSingleton<ITemplateCatalog>(renderer);
        services.AddSingleton(email ?? Emails);
        services.AddSingleton<IWebhookClient>(new HttpWebhookClient(new HttpClient()));
        services.AddSingleton(new UnsubscribeTokens(new UnsubscribeTokenOptions { Keys = [new UnsubscribeKey { Id = "k1", Secret = "test-secret-0123456789abcdef0123456789" }] }, Time));
        services.AddSingleton<IUnsubscribeUrlBuilder, UnsubscribeUrlBuilder>();
        services.AddJourneyRunner(o =>
        {
            o.MaxConcurrency = 1;
            runner?.Invoke(o);
        });
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; }

    public RecordingEmailSender Emails { get; }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public LocalRunEngine Engine => Get<LocalRunEngine>();

    /// <summary>The built-in host's runner (one input at a time here, so the tests' order is fixed).</summary>
    public JourneyRunner Runner => Get<JourneyRunner>();

    public async Task PublishSamplesAsync(params string[] ids)
    {
        foreach (var id in ids)
        {
            var result = await Get<JourneyPublisher>().PublishAsync(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "journeys", id + ".json")));
            Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        }
    }

    public async Task<JsonElement> PublishAsync(string json)
    {
        var result = await Get<JourneyPublisher>().PublishAsync(json);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return default;
    }

    /// <summary>Ingests events like the API does, then routes everything queued (including tag events steps raise).</summary>
    public async Task SendAsync(string contactId, string name, object? data = null, ContactPatch? contact = null, string? id = null)
    {
        await Get<EventIngestService>().IngestAsync(
            [new EventSubmission { Id = id, ContactId = contactId, Name = name, Data = data is null ? null : JsonSerializer.SerializeToElement(data), Contact = contact }],
            idempotencyKey: null,
            isBatch: false);
        await DrainAsync();
    }

    /// <summary>Routes every queued event, in order, through the host's runner; a failure is rethrown.</summary>
    public async Task DrainAsync() => Rethrow(await Runner.DrainQueueAsync());

    /// <summary>Moves the clock forward in one-minute steps, firing due timers and routing queued events as the host loops would.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var end = Time.GetUtcNow() + by;
        while (Time.GetUtcNow() < end)
        {
            var step = TimeSpan.FromMinutes(1) < end - Time.GetUtcNow() ? TimeSpan.FromMinutes(1) : end - Time.GetUtcNow();
            Time.Advance(step);
            while (Rethrow(await Runner.FireDueTimersAsync()) > 0)
            {
                await DrainAsync();
            }

            await DrainAsync();
        }
    }

    /// <summary>What the pass handled; its first failure thrown as it was raised.</summary>
    public static int Rethrow(RunnerPass pass)
    {
        if (pass.Failures is [var failure, ..])
        {
            ExceptionDispatchInfo.Throw(failure.Exception);
        }

        return pass.Handled;
    }

    public static ContactPatch Ana(bool consent = true, string? zone = "Europe/Madrid", params string[] tags) => new()
    {
        Email = "ana@example.com",
        TimeZone = zone,
        MarketingConsent = consent,
        ConsentSource = "signup-form",
        Fields = new Dictionary<string, JsonElement> { ["firstName"] = JsonSerializer.SerializeToElement("Ana") },
        Tags = tags,
    };

    public static object Cart(string cartId = "c-1") => new
    {
        cartId,
        total = 89.90m,
        currency = "EUR",
        cartUrl = $"https://shop.example/cart/{cartId}",
        items = new[] { new { sku = "TEE-1", name = "Linen tee", quantity = 2, price = 44.95m, imageUrl = "https://shop.example/tee.jpg" } },
    };

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}

/// <summary>An email provider that records what it was asked to send (the port's contract, in memory).</summary>
internal sealed class RecordingEmailSender : IEmailSender
{
    private readonly ConcurrentQueue<EmailMessage> _sent = new();

    public IReadOnlyList<EmailMessage> Sent => _sent.ToArray();

    public Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        _sent.Enqueue(message);
        return Task.FromResult(new EmailSendResult("msg-" + message.OperationId, "Succeeded"));
    }
}

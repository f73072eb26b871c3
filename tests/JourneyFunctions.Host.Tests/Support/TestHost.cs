using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using JourneyFunctions.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Host.Tests.Support;

/// <summary>
/// The real host, built by <see cref="JourneyHost"/> exactly as <c>journeys serve</c> builds it, listening on Kestrel
/// at 127.0.0.1 on a free port, with a fake clock the test moves. <see cref="Client"/> sends the API key.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string ApiKey = "test-key";

    /// <summary>Event Grid's own secret (Host:EventGridKey), sent as Authorization: Bearer.</summary>
    public const string EventGridKey = "test-eventgrid-key";

    private TestHost(WebApplication app, FakeTimeProvider time, string workDirectory)
    {
        App = app;
        Time = time;
        WorkDirectory = workDirectory;
        BaseAddress = new Uri(JourneyHost.Addresses(app).First());
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Anonymous = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>A temporary folder for this host (its outbox), deleted on dispose.</summary>
    public string WorkDirectory { get; }

    public Uri BaseAddress { get; }

    /// <summary>Sends the API key.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no key (unsubscribe links, bad-key tests).</summary>
    public HttpClient Anonymous { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<TestHost> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        DateTimeOffset? start = null,
        Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
        var work = Path.Combine(Path.GetTempPath(), "jf-host-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Host:ApiKey"] = ApiKey,
            ["Host:EventGridKey"] = EventGridKey,
            ["Host:JourneysDirectory"] = Path.Combine(RepositoryRoot, "journeys"),
            ["Templates:Directory"] = Path.Combine(RepositoryRoot, "templates"),
            ["Email:Outbox:Directory"] = Path.Combine(work, "outbox"),
            ["Unsubscribe:Keys:0:Id"] = "test",
            ["Unsubscribe:Keys:0:Secret"] = "host-tests-unsubscribe-secret-of-32-plus-characters",
            ["Suppressions:Key"] = "host-tests-address-hash-key-of-32-plus-characters",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var builder = JourneyHost.CreateBuilder([], overrides, environmentName: "Testing", configureServices: s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(time);
            services?.Invoke(s);
        });
        var app = JourneyHost.BuildApp(builder);
        await app.StartAsync();
        return new TestHost(app, time, work);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body) => await Client.PostAsJsonAsync(path, body);

    /// <summary>Polls (in real time) until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (JourneyFunctions.sln) is not above the test binaries.");
    }
}

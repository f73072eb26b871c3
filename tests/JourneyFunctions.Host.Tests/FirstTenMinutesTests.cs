using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using JourneyFunctions.Host.Clock;
using JourneyFunctions.Host.Tests.Support;
using JourneyFunctions.Infrastructure.Tests.Email;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace JourneyFunctions.Host.Tests;

/// <summary>
/// The first ten minutes of a new user, over the real host on Kestrel 127.0.0.1 as <c>journeys serve --clock virtual</c>
/// builds it in Development: the events are read out of README.md (so the README cannot drift from what the host
/// does), posted as the README writes them, and the outbox's files are read with MimeKit and with a strict reader of
/// the RFCs (<see cref="StrictMime"/>).
/// </summary>
public sealed partial class FirstTenMinutesTests
{
    [Fact]
    public void Readme_FirstEvents_AreTheBannersEvents()
    {
        var events = ReadmeEvents();

        Assert.Equal(2, events.Count);
        Assert.True(JsonElement.DeepEquals(Json(events[0]), Json(FirstEvents.Subscribed)), "README's first event is not the banner's sign-up");
        Assert.True(JsonElement.DeepEquals(Json(events[1]), Json(FirstEvents.CartUpdated)), "README's second event is not the banner's cart");
    }

    [Fact]
    public async Task Readme_FirstCommands_WelcomeWithinSecondsThenTheCartReminderAfterTheClockMoves()
    {
        await using var host = await DevelopmentHost.StartAsync(virtualClock: true);
        var events = ReadmeEvents();

        // Development prints no warning at start: the local unsubscribe key is made quietly.
        Assert.DoesNotContain(host.Logs, l => l.Level >= LogLevel.Warning);
        Assert.Contains(host.Logs, l => l.Level == LogLevel.Information && l.Message.Contains("Unsubscribe:Keys is empty", StringComparison.Ordinal));
        var banner = JourneyHost.DescribeStartup(host.App);
        Assert.Contains(FirstEvents.Subscribed, banner, StringComparison.Ordinal);
        Assert.Contains(FirstEvents.CartUpdated, banner, StringComparison.Ordinal);
        Assert.Contains("clock next", banner, StringComparison.Ordinal);

        using (var posted = await host.PostEventAsync(events[0]))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var welcome = await host.WaitForEmailAsync(e => e.Subject.StartsWith("Welcome", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the welcome email is in the outbox");
        var (mime, strict) = ParseBoth(welcome);
        Assert.Equal("Welcome to Northwind Goods, Ana!", mime.Subject);
        Assert.Equal(SendingDefault, mime.From.Mailboxes.Single().Address);
        Assert.EndsWith("@northwind.example", mime.MessageId, StringComparison.Ordinal);
        Assert.Contains("Welcome, Ana!", mime.TextBody, StringComparison.Ordinal);
        Assert.Contains(strict.Parts, p => p.ContentType == "text/plain" && p.Text.Contains("Welcome, Ana!", StringComparison.Ordinal));
        Assert.Equal((mime.TextBody ?? string.Empty).ReplaceLineEndings(), strict.Parts.Single(p => p.ContentType == "text/plain").Text.ReplaceLineEndings());

        using (var posted = await host.PostEventAsync(events[1]))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        // The README's next step: move the clock to the next timer, again when the hour ends outside Madrid's window.
        await TestHost.WaitUntilAsync(async () => (await host.ActiveRunsAsync()).Contains("abandoned-cart"), "Ana's cart run waits its grace hour");
        var realStart = DateTimeOffset.UtcNow;
        EmlFile? reminder = null;
        for (var advance = 0; advance < 4 && reminder is null; advance++)
        {
            var clock = await host.AdvanceAsync("""{"toNextTimer":true}""");
            Assert.Equal("virtual", clock.GetProperty("mode").GetString());
            reminder = host.Emails().FirstOrDefault(e => e.Subject.Contains("left something in your cart", StringComparison.Ordinal));
        }

        Assert.True(reminder is not null, "no cart reminder after moving the clock to the next timer four times");
        Assert.NotEqual("PT0S", (await host.ClockAsync()).GetProperty("offset").GetString());
        var (reminderMime, reminderStrict) = ParseBoth(reminder);
        Assert.Equal("Ana, you left something in your cart", reminderMime.Subject);
        Assert.Contains("href=\"https://northwind.example/cart/c-1\"", reminderMime.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"\"", reminderMime.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(reminderStrict.Parts, p => p.ContentType == "text/html" && p.Text.Contains("Linen tee", StringComparison.Ordinal));
        Assert.Contains("\u20AC59.90", reminderMime.TextBody, StringComparison.Ordinal);

        // The outbox dates the email on the host's one clock: at least the grace hour after the real time.
        Assert.True(reminderMime.Date >= realStart.AddMinutes(59), $"the reminder is dated {reminderMime.Date:O}, not on the virtual clock");
    }

    [Fact]
    public async Task DevClock_OutsideDevelopment_NotFound()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Runner:Enabled"] = "false" });

        using var response = await host.Client.GetAsync(new Uri(DevClockApi.Route, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DevClock_DevelopmentOnTheSystemClock_NotFoundSayingHowToTurnItOn()
    {
        await using var host = await DevelopmentHost.StartAsync(virtualClock: false);

        using var response = await host.Client.PostAsync(new Uri(DevClockApi.Route + "/advance", UriKind.Relative), JsonBody("""{"by":"PT1H"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("--clock virtual", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevClock_WithoutOrWithAWrongKey_RefusedAndTheClockStays()
    {
        await using var host = await DevelopmentHost.StartAsync(virtualClock: true);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var wrong = new HttpClient { BaseAddress = host.BaseAddress };
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");

        using var missing = await anonymous.PostAsync(new Uri(DevClockApi.Route + "/advance", UriKind.Relative), JsonBody("""{"by":"P1D"}"""));
        using var forbidden = await wrong.PostAsync(new Uri(DevClockApi.Route + "/advance", UriKind.Relative), JsonBody("""{"by":"P1D"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(TimeSpan.Zero, host.App.Services.GetRequiredService<VirtualClock>().Offset);
    }

    [Theory]
    [InlineData("""{"by":"P3X"}""", "$.by")]
    [InlineData("""{"by":"-PT1H"}""", "$.by")]
    [InlineData("""{"by":"PT1H","toNextTimer":true}""", "$.by")]
    [InlineData("""{}""", "$.by")]
    [InlineData("""{"by":3}""", "$.by")]
    public async Task DevClock_BadAdvance_ProblemNamingTheField(string body, string field)
    {
        await using var host = await DevelopmentHost.StartAsync(virtualClock: true);

        using var response = await host.Client.PostAsync(new Uri(DevClockApi.Route + "/advance", UriKind.Relative), JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Equal(TimeSpan.Zero, host.App.Services.GetRequiredService<VirtualClock>().Offset);
    }

    [Fact]
    public async Task DevClock_AdvanceByADay_TheEngineSeesTheMovedTime()
    {
        await using var host = await DevelopmentHost.StartAsync(virtualClock: true);
        var before = DateTimeOffset.UtcNow;

        var clock = await host.AdvanceAsync("""{"by":"P1D"}""");

        Assert.Equal("P1D", clock.GetProperty("offset").GetString());
        Assert.True(clock.GetProperty("now").GetDateTimeOffset() >= before.AddDays(1));
        Assert.Same(host.App.Services.GetRequiredService<VirtualClock>(), host.App.Services.GetRequiredService<TimeProvider>());
        using var health = await host.Client.GetAsync(new Uri("/health", UriKind.Relative));
        var at = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("at").GetDateTimeOffset();
        Assert.True(at >= before.AddDays(1), $"health says {at:O}: the host's TimeProvider is not the virtual clock");
    }

    [Fact]
    public void BuildApp_VirtualClockOutsideDevelopment_Refuses()
    {
        var builder = JourneyHost.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Host:ApiKey"] = "a-long-random-production-key",
            ["Host:Clock"] = "Virtual",
            ["Sending:PublicBaseUrl"] = "https://journeys.example.com",
            ["Unsubscribe:Keys:0:Id"] = "test",
            ["Unsubscribe:Keys:0:Secret"] = "host-tests-unsubscribe-secret-of-32-plus-characters",
            ["Email:Outbox:Directory"] = Path.Combine(Path.GetTempPath(), "jf-clock-refused-outbox"),
        }, environmentName: "Production");

        var refused = Assert.Throws<InvalidOperationException>(() => JourneyHost.BuildApp(builder));

        Assert.Contains("Development only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VirtualClock_Advance_MovesForwardOnly()
    {
        var clock = new VirtualClock();
        var start = clock.GetUtcNow();

        var moved = clock.Advance(TimeSpan.FromHours(1));
        var unchanged = clock.AdvanceTo(start);

        Assert.True(moved >= start.AddHours(1));
        Assert.True(unchanged >= moved, "AdvanceTo an earlier time moved the clock back");
        Assert.Equal(TimeSpan.FromHours(1), clock.Offset);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromMinutes(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.Zero));
    }

    private const string SendingDefault = Core.Services.SendingOptions.DefaultFromAddress;

    /// <summary>The JSON bodies of README.md's <c>curl ... /api/events ... -d '...'</c> commands, in order.</summary>
    private static List<string> ReadmeEvents()
    {
        var readme = File.ReadAllText(Path.Combine(TestHost.RepositoryRoot, "README.md"));
        return [.. CurlEvents().Matches(readme).Select(m => m.Groups["json"].Value)];
    }

    private static (MimeMessage Mime, StrictMimeMessage Strict) ParseBoth(EmlFile file)
    {
        using var stream = new MemoryStream(file.Raw);
        var mime = MimeMessage.Load(stream);
        StrictMimeMessage strict;
        try
        {
            strict = StrictMime.Parse(file.Raw);
        }
        catch (FormatException ex)
        {
            throw new Xunit.Sdk.XunitException($"{Path.GetFileName(file.Path)} is not standards-conformant MIME: {ex.Message}");
        }

        Assert.Equal(mime.Subject, StrictMime.DecodeEncodedWords(strict.Header("Subject") ?? string.Empty).Trim());
        return (mime, strict);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex("""curl -s -X POST http://127\.0\.0\.1:7071/api/events [^\n]*-d '(?<json>\{[^']*\})'""", RegexOptions.Singleline)]
    private static partial Regex CurlEvents();

    /// <summary>An .eml file of the outbox: its decoded subject and raw octets.</summary>
    private sealed record EmlFile(string Path, string Subject, byte[] Raw);

    private sealed record LogEntry(LogLevel Level, string Category, string Message);

    /// <summary>The host as <c>journeys serve [--clock virtual]</c> runs it in Development with nothing configured.</summary>
    private sealed class DevelopmentHost : IAsyncDisposable
    {
        private readonly string _work;

        private DevelopmentHost(WebApplication app, string work, ConcurrentQueue<LogEntry> logs)
        {
            App = app;
            _work = work;
            LogQueue = logs;
            BaseAddress = new Uri(JourneyHost.Addresses(app)[0]);
            Client = new HttpClient { BaseAddress = BaseAddress };
            Client.DefaultRequestHeaders.Add("X-Api-Key", JourneyHostOptions.DevelopmentApiKey);
        }

        public WebApplication App { get; }

        public Uri BaseAddress { get; }

        /// <summary>Sends the Development key the README uses.</summary>
        public HttpClient Client { get; }

        public IReadOnlyList<LogEntry> Logs => [.. LogQueue];

        private ConcurrentQueue<LogEntry> LogQueue { get; }

        private string OutboxDirectory => Path.Combine(_work, "outbox");

        public static async Task<DevelopmentHost> StartAsync(bool virtualClock)
        {
            var work = Path.Combine(Path.GetTempPath(), "jf-first-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(work);
            var logs = new ConcurrentQueue<LogEntry>();
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Host:JourneysDirectory"] = Path.Combine(TestHost.RepositoryRoot, "journeys"),
                ["Templates:Directory"] = Path.Combine(TestHost.RepositoryRoot, "templates"),
                ["Email:Outbox:Directory"] = Path.Combine(work, "outbox"),
                ["Unsubscribe:LocalKeyPath"] = Path.Combine(work, ".journeys", "unsubscribe.key"),
            };
            if (virtualClock)
            {
                overrides["Host:Clock"] = "Virtual";
            }

            var builder = JourneyHost.CreateBuilder([], overrides, environmentName: "Development", configureServices: s =>
                s.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(logs)));
            var app = JourneyHost.BuildApp(builder);
            await app.StartAsync();
            return new DevelopmentHost(app, work, logs);
        }

        public async Task<HttpResponseMessage> PostEventAsync(string json)
        {
            using var content = new StringContent(json);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return await Client.PostAsync(new Uri("/api/events", UriKind.Relative), content);
        }

        /// <summary>The journeys Ana has a run in, as <c>GET /api/contacts/ana</c> (the README's next command) shows them.</summary>
        public async Task<IReadOnlyList<string>> ActiveRunsAsync()
        {
            using var response = await Client.GetAsync(new Uri("/api/contacts/ana", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
            {
                return [];
            }

            var contact = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return [.. contact.GetProperty("activeRuns").EnumerateArray().Select(r => r.GetProperty("journeyId").GetString() ?? string.Empty)];
        }

        public async Task<JsonElement> ClockAsync()
        {
            using var response = await Client.GetAsync(new Uri(DevClockApi.Route, UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {DevClockApi.Route}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        public async Task<JsonElement> AdvanceAsync(string body)
        {
            using var response = await Client.PostAsync(new Uri(DevClockApi.Route + "/advance", UriKind.Relative), JsonBody(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"POST {DevClockApi.Route}/advance: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        public IReadOnlyList<EmlFile> Emails()
        {
            if (!Directory.Exists(OutboxDirectory))
            {
                return [];
            }

            var files = new List<EmlFile>();
            foreach (var path in Directory.EnumerateFiles(OutboxDirectory, "*.eml").Order(StringComparer.Ordinal))
            {
                var raw = File.ReadAllBytes(path);
                using var stream = new MemoryStream(raw);
                files.Add(new EmlFile(path, MimeMessage.Load(stream).Subject ?? string.Empty, raw));
            }

            return files;
        }

        public async Task<EmlFile> WaitForEmailAsync(Func<EmlFile, bool> match, TimeSpan timeout, string what)
        {
            EmlFile? found = null;
            await TestHost.WaitUntilAsync(() => Task.FromResult((found = Emails().FirstOrDefault(match)) is not null), what, timeout);
            return found!;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            try
            {
                Directory.Delete(_work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<LogEntry> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, logs);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogEntry> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    logs.Enqueue(new LogEntry(logLevel, category, formatter(state, exception)));
                }
            }
        }
    }
}

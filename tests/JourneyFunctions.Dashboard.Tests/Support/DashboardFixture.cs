using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace JourneyFunctions.Dashboard.Tests.Support;

/// <summary>The test classes that share one host and one browser (and so run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}

/// <summary>
/// One real built-in host (Kestrel on 127.0.0.1, a free port, memory storage, the runner on the real clock, the
/// repo's journeys and templates) and one headless chromium for the test collection. Chromium is Debian's
/// (<c>/usr/bin/chromium</c>); on a clean machine the fixture installs it with apt-get, which needs root.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ApiKey = "dashboard-test-key";
    public const string ChromiumPath = "/usr/bin/chromium";

    private WebApplication? _app;
    private IPlaywright? _playwright;
    private string _work = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Sends the API key (what a storefront would do), for posting events and checking results.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>Sends no key.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string OutboxDirectory => Path.Combine(_work, "outbox");

    /// <summary>Where each page's screenshot goes (the test output's <c>dashboard-screenshots</c> folder).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>axe-core from the repo's node_modules (package-lock.json pins it; the Dashboard build runs npm ci).</summary>
    public static string AxePath => Path.Combine(RepositoryRoot, "node_modules", "axe-core", "axe.min.js");

    public async Task InitializeAsync()
    {
        await EnsureChromiumAsync();
        _work = Path.Combine(Path.GetTempPath(), "jf-dash-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_work);
        Directory.CreateDirectory(ScreenshotDirectory);
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Host:ApiKey"] = ApiKey,
            ["Host:JourneysDirectory"] = Path.Combine(RepositoryRoot, "journeys"),
            ["Templates:Directory"] = Path.Combine(RepositoryRoot, "templates"),
            ["Email:Outbox:Directory"] = OutboxDirectory,
            ["Unsubscribe:Keys:0:Id"] = "test",
            ["Unsubscribe:Keys:0:Secret"] = "dashboard-tests-unsubscribe-secret-of-32-plus-characters",
            ["Suppressions:Key"] = "dashboard-tests-address-hash-key-of-32-plus-characters",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var builder = JourneyHost.CreateBuilder([], overrides, environmentName: "Testing");
        _app = JourneyHost.BuildApp(builder);
        await _app.StartAsync();
        BaseAddress = new Uri(JourneyHost.Addresses(_app)[0]);
        Api = new HttpClient { BaseAddress = BaseAddress };
        Api.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Anonymous = new HttpClient { BaseAddress = BaseAddress };

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) with a page at the dashboard; CSP bypassed only so axe can be injected.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BypassCSP = true,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Opens the dashboard and signs in with the API key through the form.</summary>
    public async Task<IPage> SignedInPageAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("API key").FillAsync(ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("#journeys").WaitForAsync();
        return page;
    }

    public async Task<HttpResponseMessage> PostEventAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await Api.PostAsync("/api/events", content);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Writes the page's screenshot as a test artifact and runs axe-core on it: no serious or critical violation.</summary>
    public static async Task CheckPageAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
        if (await page.EvaluateAsync<bool>("() => typeof window.axe === 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxePath });
        }

        var json = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))");
        var serious = json.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").Select(v => v.ToString()).ToList();
        Assert.True(serious.Count == 0, $"axe on {name}: {serious.Count} serious/critical violation(s):\n" + string.Join("\n", serious));
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Api?.Dispose();
        Anonymous?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Installs Debian's chromium when it is missing (a clean CI machine); the test command runs as root there.</summary>
    private static async Task EnsureChromiumAsync()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing and the tests do not run as root, so they cannot install it: run 'sudo apt-get update && sudo apt-get install -y chromium' once.");
        }

        var lockPath = Path.Combine(Path.GetTempPath(), "journeyfunctions-chromium-install.lock");
        using var gate = await AcquireAsync(lockPath);
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        var start = new ProcessStartInfo("bash", ["-c", "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start apt-get.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 || !File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"apt-get install chromium failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    private static async Task<FileStream> AcquireAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 1200)
            {
                await Task.Delay(500);
            }
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

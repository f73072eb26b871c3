using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Infrastructure.Tests.Fixtures;

/// <summary>
/// A real SMTP server for the tests: MailDev (the version pinned in package.json, installed with npm ci when missing)
/// on free loopback ports, with SMTP authentication on. Received mail is read back through its REST API
/// (<c>GET /api/email</c>). One per test collection; killed on dispose.
/// </summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    public const string UserName = "journeys";
    public const string Password = "maildev-test-password";

    private ServiceProcess? _maildev;
    private readonly HttpClient _http = new();

    public int SmtpPort { get; private set; }

    public Uri WebUri { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var bin = await NpmTools.EnsureInstalledAsync("maildev");
        SmtpPort = FreePort();
        var webPort = FreePort();
        WebUri = new Uri($"http://127.0.0.1:{webPort}/");
        string[] args =
        [
            "--smtp", SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--web", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1",
            "--web-ip", "127.0.0.1",
            "--incoming-user", UserName,
            "--incoming-pass", Password,
        ];
        _maildev = await ServiceProcess.StartAsync(bin, args, [new Regex(@"MailDev API running at"), new Regex(@"Port:\s+\d+")], TimeSpan.FromSeconds(60));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri(WebUri, "api/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (attempt < 50)
            {
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every email MailDev holds, as its REST API returns them.</summary>
    public async Task<IReadOnlyList<JsonElement>> EmailsAsync()
    {
        var json = await _http.GetStringAsync(new Uri(WebUri, "api/email"));
        return JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>The raw message MailDev received (<c>GET /api/email/{id}/source</c>), parsed by MimeKit.</summary>
    public async Task<MimeKit.MimeMessage> SourceAsync(JsonElement email)
    {
        var id = email.GetProperty("id").GetString();
        await using var stream = await _http.GetStreamAsync(new Uri(WebUri, $"api/email/{id}/source"));
        return await MimeKit.MimeMessage.LoadAsync(stream);
    }

    /// <summary>Waits (bounded) until an email to <paramref name="recipient"/> arrived and returns it.</summary>
    public async Task<JsonElement> WaitForEmailToAsync(string recipient)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var match = (await EmailsAsync()).FirstOrDefault(e => e.GetRawText().Contains(recipient, StringComparison.OrdinalIgnoreCase));
            if (match.ValueKind != JsonValueKind.Undefined)
            {
                return match;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no email to {recipient} reached MailDev: {_maildev?.Output}");
    }

    public Task DisposeAsync()
    {
        _maildev?.Dispose();
        _http.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Test classes in this collection share one MailDev.</summary>
[CollectionDefinition(Name)]
public sealed class MailDevCollection : ICollectionFixture<MailDevFixture>
{
    public const string Name = "MailDev";
}

using System.Net;
using System.Text.Json;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Host.Tests.Support;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Api.Tests;

/// <summary>
/// Issue 15 over real HTTP on both backends: addresses, ids (with '/' and at the key limit), the unsubscribe link and
/// page, consent withdrawn by the contact, the admin key in the query string, webhook URLs and secrets at publish.
/// </summary>
public abstract class HardeningApiTests : IAsyncLifetime
{
    private TestHost _host = null!;

    protected abstract Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync();

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(new Dictionary<string, string?>(await StorageSettingsAsync())
    {
        ["Webhooks:Secrets:crm-configured"] = ConfiguredSecretValue,
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("a@b.com,c@evil.com")]
    [InlineData("a@@b.com")]
    [InlineData("x<c@evil.com>@b.com")]
    [InlineData("ana\\u0000@example.com")]
    public async Task Ingest_AddressSendersCannotParse_400NamingContactEmail(string address)
    {
        using var events = await _host.PostJsonAsync("/api/events", $$"""{ "contactId": "addr", "name": "contact.subscribed", "contact": { "email": "{{address}}" } }""");
        using var upsert = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "addr", "email": "{{address}}" }""");

        await Problems.AssertFieldAsync(events, HttpStatusCode.BadRequest, "$.contact.email");
        await Problems.AssertFieldAsync(upsert, HttpStatusCode.BadRequest, "$.email");
    }

    [Fact]
    public async Task ContactIdWithSlashes_WorksOnEveryContactRoute()
    {
        const string id = "gid://shopify/Customer/7008";
        using var upsert = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "{{id}}", "email": "shopify@example.com" }""");
        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        var path = "/api/contacts/" + Uri.EscapeDataString(id);

        var read = await _host.GetJsonAsync(path);
        using var erase = await _host.Client.DeleteAsync(path);
        using var gone = await _host.Client.GetAsync(path);

        Assert.Equal(id, read.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task IdOverTheKeyLimit_400AtEveryEdge()
    {
        var id = new string('é', 40); // 40 characters, 400 once escaped twice: over the limit.
        var escaped = Uri.EscapeDataString(id);

        using var upsert = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "{{id}}" }""");
        using var events = await _host.PostJsonAsync("/api/events", $$"""{ "contactId": "{{id}}", "name": "x.y" }""");
        using var eventId = await _host.PostJsonAsync("/api/events", $$"""{ "id": "{{id}}", "contactId": "c", "name": "x.y" }""");
        using var read = await _host.Client.GetAsync("/api/contacts/" + escaped);
        using var erase = await _host.Client.DeleteAsync("/api/contacts/" + escaped);
        using var journey = await _host.Client.GetAsync("/api/journeys/" + escaped);
        using var stats = await _host.Client.GetAsync("/api/journeys/" + escaped + "/stats");
        using var map = await _host.Client.GetAsync("/api/journeys/" + escaped + "/map");
        using var pause = await _host.Client.PostAsync("/api/journeys/" + escaped + "/pause", null);

        await Problems.AssertFieldAsync(upsert, HttpStatusCode.BadRequest, "$.id");
        await Problems.AssertFieldAsync(events, HttpStatusCode.BadRequest, "$.contactId");
        await Problems.AssertFieldAsync(eventId, HttpStatusCode.BadRequest, "$.id");
        foreach (var response in new[] { read, erase, journey, stats, map, pause })
        {
            await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "id");
        }
    }

    [Fact]
    public async Task IdAtTheKeyLimit_EventRoutedEmailSentContactErased()
    {
        var id = new string('/', 15) + "abcde"; // twice escaped: 15 x 5 + 5 = 80 characters, the limit.
        Assert.Equal(Core.Services.IdLimits.MaxKeyLength, Core.Services.IdLimits.KeyLength(id));
        var path = "/api/contacts/" + Uri.EscapeDataString(id);

        using var accepted = await _host.PostJsonAsync("/api/events", $$"""
            { "contactId": "{{id}}", "name": "contact.subscribed", "contact": { "email": "limit@example.com", "marketingConsent": true } }
            """);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var last = "";
        try
        {
            await TestHost.WaitUntilAsync(
                async () =>
                {
                    using var response = await _host.Client.GetAsync(path);
                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    return response.IsSuccessStatusCode && last.Contains("\"kind\":\"email\"", StringComparison.Ordinal);
                },
                "the welcome email went out",
                TimeSpan.FromSeconds(30));
        }
        catch (Xunit.Sdk.FailException)
        {
            Assert.Fail(last);
        }
        using var erase = await _host.Client.DeleteAsync(path);

        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
    }

    [Fact]
    public async Task UnsubscribePage_LockedDown_AndOnlyCanonicalCurrentMarketingTokens()
    {
        var tokens = _host.App.Services.GetRequiredService<UnsubscribeTokens>();
        var now = _host.Time.GetUtcNow();
        var valid = tokens.Create("page", UnsubscribeScopes.Marketing, now);

        using var page = await _host.Anonymous.GetAsync("/api/unsubscribe?token=" + Uri.EscapeDataString(valid));
        using var padded = await _host.Anonymous.GetAsync("/api/unsubscribe?token=" + Uri.EscapeDataString(valid + "="));
        using var future = await _host.Anonymous.GetAsync("/api/unsubscribe?token=" + Uri.EscapeDataString(tokens.Create("page", UnsubscribeScopes.Marketing, now.AddHours(1))));
        using var scoped = await _host.Anonymous.GetAsync("/api/unsubscribe?token=" + Uri.EscapeDataString(tokens.Create("page", "welcome-series", now)));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(page.Headers.CacheControl?.NoStore);
        await Problems.AssertAsync(padded, HttpStatusCode.Forbidden);
        await Problems.AssertAsync(future, HttpStatusCode.Forbidden);
        await Problems.AssertAsync(scoped, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ConsentWithdrawnByTheContact_NotRestoredByAProfileSync_OnlyByALaterOptIn()
    {
        using var created = await _host.PostJsonAsync("/api/contacts", """{ "id": "consent", "email": "consent@example.com", "marketingConsent": true }""");
        var token = _host.App.Services.GetRequiredService<UnsubscribeTokens>().Create("consent", UnsubscribeScopes.Marketing, _host.Time.GetUtcNow());
        using var unsubscribed = await _host.Anonymous.PostAsync("/api/unsubscribe?token=" + Uri.EscapeDataString(token), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
        _host.Time.Advance(TimeSpan.FromMinutes(10));

        using var sync = await _host.PostJsonAsync("/api/contacts", """{ "id": "consent", "marketingConsent": true, "consentSource": "shop-sync" }""");
        var afterSync = await _host.GetJsonAsync("/api/contacts/consent");
        var stale = _host.Time.GetUtcNow().AddHours(-1).ToString("O");
        using var staleOptIn = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "consent", "marketingConsent": true, "consentAt": "{{stale}}" }""");
        var afterStale = await _host.GetJsonAsync("/api/contacts/consent");
        var given = _host.Time.GetUtcNow().ToString("O");
        using var optIn = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "consent", "marketingConsent": true, "consentSource": "preference-center", "consentAt": "{{given}}" }""");
        var afterOptIn = await _host.GetJsonAsync("/api/contacts/consent");

        Assert.False(afterSync.GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.False(afterStale.GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.True(afterOptIn.GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.Equal("preference-center", afterOptIn.GetProperty("consent").GetProperty("source").GetString());
    }

    [Fact]
    public async Task AdminKeyInTheQueryString_401NamingCode()
    {
        using var response = await _host.Anonymous.GetAsync($"/api/journeys?code={TestHost.ApiKey}");

        await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "code");
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data", null)]
    [InlineData("https://10.0.0.5/hook", null)]
    [InlineData("http://127.1/hook", null)]
    [InlineData("https://[::1]/hook", null)]
    [InlineData("https://2130706433/hook", null)]
    [InlineData("https://crm.example.com/hook", "Bearer abc123")]
    public async Task PublishWebhook_InternalLiteralIpOrLiteralSecret_400(string url, string? authorization)
    {
        using var response = await _host.Client.PutAsync("/api/journeys/hook-refused", Json(WebhookJourney("hook-refused", url, authorization ?? "Bearer {{secret:crm}}")));

        var body = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(authorization is null ? "$.steps[0].url" : "$.steps[0].headers.Authorization", body.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task PublishWebhook_SecretByName_StoredAndReturnedAsTheNameOnly()
    {
        using var published = await _host.Client.PutAsync("/api/journeys/hook-named", Json(WebhookJourney("hook-named", "https://crm.example.com/hook", "Bearer {{secret:crm}}")));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        var journey = await _host.GetJsonAsync("/api/journeys/hook-named");

        Assert.Equal("Bearer {{secret:crm}}", journey.GetProperty("steps")[0].GetProperty("headers").GetProperty("Authorization").GetString());
    }

    [Theory]
    [InlineData("crm-missing", true)]
    [InlineData("crm-configured", false)]
    public async Task PublishWebhook_SecretNotConfigured_PublishedWithAWarningNamingTheHeader(string secret, bool warned)
    {
        using var published = await _host.Client.PutAsync($"/api/journeys/hook-{secret}", Json(WebhookJourney($"hook-{secret}", "https://crm.example.com/hook", $"Bearer {{{{secret:{secret}}}}}")));
        var text = await published.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var warnings = JsonDocument.Parse(text).RootElement.GetProperty("warnings").EnumerateArray().ToList();
        Assert.Equal(warned ? 1 : 0, warnings.Count);
        if (warned)
        {
            Assert.Equal("$.steps[0].headers.Authorization", warnings[0].GetProperty("path").GetString());
            Assert.Equal("unconfigured-secret", warnings[0].GetProperty("code").GetString());
            Assert.Contains("Webhooks:Secrets:crm-missing", warnings[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(ConfiguredSecretValue, text, StringComparison.Ordinal);
    }

    private const string ConfiguredSecretValue = "configured-secret-value-never-returned";

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static string WebhookJourney(string id, string url, string authorization) => JsonSerializer.Serialize(new
    {
        id,
        name = "Webhook",
        trigger = new { @event = "crm.sync" },
        steps = new object[] { new { id = "hook", type = "webhook", url, headers = new Dictionary<string, string> { ["Authorization"] = authorization } } },
    });
}

public sealed class MemoryHardeningApiTests : HardeningApiTests
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" });
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteHardeningApiTests(AzuriteFixture azurite) : HardeningApiTests
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "hard" + suffix,
            ["Storage:QueueName"] = "hard-" + suffix,
        });
    }
}

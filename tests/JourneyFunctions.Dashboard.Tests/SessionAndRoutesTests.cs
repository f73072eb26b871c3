using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Dashboard.Tests.Support;

namespace JourneyFunctions.Dashboard.Tests;

/// <summary>
/// The dashboard's sign-in and the API routes it added, over HTTP on the real host: the session cookie as a credential,
/// CSRF on every change made with it, sign-out, and the waiting-runs and template-preview routes' answers and refusals.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class SessionAndRoutesTests(DashboardFixture fixture)
{
    [Fact]
    public async Task SignIn_WrongKey_Is401ProblemNamingTheFieldAndSetsNoCookie()
    {
        using var client = Client(out _);
        using var response = await PostJsonAsync(client, "/api/session", """{"apiKey":"wrong"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("$.apiKey", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));

        using var empty = await PostJsonAsync(client, "/api/session", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task SessionCookie_ReadsWithoutKey_ChangesOnlyWithCsrfToken_AndSignOutEndsIt()
    {
        using var client = Client(out var cookies);
        using var signIn = await PostJsonAsync(client, "/api/session", $$"""{"apiKey":"{{DashboardFixture.ApiKey}}"}""");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var setCookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var body = await signIn.Content.ReadAsStringAsync();
        Assert.DoesNotContain(DashboardFixture.ApiKey, body, StringComparison.Ordinal);
        var csrf = JsonDocument.Parse(body).RootElement.GetProperty("csrfToken").GetString()!;

        using (var read = await client.GetAsync("/api/journeys"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var noToken = await client.PostAsync("/api/journeys/re-engagement/pause", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
            Assert.Contains(DashboardSessions.CsrfHeader, await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrongToken = new HttpRequestMessage(HttpMethod.Post, "/api/journeys/re-engagement/pause"))
        {
            wrongToken.Headers.Add(DashboardSessions.CsrfHeader, csrf + "x");
            using var refused = await client.SendAsync(wrongToken);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.False(await PausedAsync("re-engagement"));
        foreach (var verb in new[] { "pause", "resume" })
        {
            using var change = new HttpRequestMessage(HttpMethod.Post, $"/api/journeys/re-engagement/{verb}");
            change.Headers.Add(DashboardSessions.CsrfHeader, csrf);
            using var accepted = await client.SendAsync(change);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using (var current = await client.GetAsync("/api/session"))
        {
            Assert.Equal(csrf, JsonDocument.Parse(await current.Content.ReadAsStringAsync()).RootElement.GetProperty("csrfToken").GetString());
        }

        var cookie = cookies.GetCookies(fixture.BaseAddress)[DashboardSessions.CookieName]!.Value;
        using (var signOut = await client.DeleteAsync("/api/session"))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        }

        // The old cookie, replayed after sign-out, names no session.
        using var replay = new HttpClient { BaseAddress = fixture.BaseAddress };
        replay.DefaultRequestHeaders.Add("Cookie", $"{DashboardSessions.CookieName}={cookie}");
        using var after = await replay.GetAsync("/api/journeys");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        using var noSession = await fixture.Anonymous.GetAsync("/api/session");
        Assert.Equal(HttpStatusCode.Unauthorized, noSession.StatusCode);
    }

    [Fact]
    public async Task Page_IsServedAtRootWithItsBundleAndAStrictContentSecurityPolicy()
    {
        using var page = await fixture.Anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("/dashboard/app.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var script = await fixture.Anonymous.GetAsync("/dashboard/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 10_000, "the bundle holds dagre");

        using var missing = await fixture.Anonymous.GetAsync("/dashboard/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("/api/journeys/abandoned-cart/waiting", HttpStatusCode.BadRequest, "step")]
    [InlineData("/api/journeys/abandoned-cart/waiting?step=no-such-step", HttpStatusCode.NotFound, "step")]
    [InlineData("/api/journeys/no-such-journey/waiting?step=grace", HttpStatusCode.NotFound, "id")]
    [InlineData("/api/journeys/abandoned-cart/waiting?step=grace&max=0", HttpStatusCode.BadRequest, "max")]
    [InlineData("/api/journeys/abandoned-cart/waiting?step=grace&max=abc", HttpStatusCode.BadRequest, "max")]
    public async Task WaitingRuns_BadQuery_IsProblemNamingTheField(string path, HttpStatusCode status, string field)
    {
        using var response = await fixture.Api.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    [Fact]
    public async Task WaitingRuns_ListsTheContactsAtAStep_UpToMax_WithMore()
    {
        for (var i = 0; i < 3; i++)
        {
            using var posted = await fixture.PostEventAsync($$$"""{"contactId":"waiting-{{{i}}}","name":"contact.subscribed","contact":{"email":"waiting{{{i}}}@example.com","marketingConsent":true}}""");
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var welcome = await fixture.GetJsonAsync("/api/journeys/welcome-series");
        var firstWait = welcome.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("type").GetString() == "wait").GetProperty("id").GetString();
        JsonElement answer = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        do
        {
            answer = await fixture.GetJsonAsync($"/api/journeys/welcome-series/waiting?step={firstWait}&max=500");
            await Task.Delay(50);
        }
        while (answer.GetProperty("runs").EnumerateArray().Count(r => r.GetProperty("contactId").GetString()!.StartsWith("waiting-", StringComparison.Ordinal)) < 3 && DateTime.UtcNow < deadline);

        var ours = answer.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("contactId").GetString()!.StartsWith("waiting-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, ours.Count);
        Assert.All(ours, r => Assert.True(r.GetProperty("waitingUntil").ValueKind == JsonValueKind.String));
        Assert.False(answer.GetProperty("more").GetBoolean());

        var one = await fixture.GetJsonAsync($"/api/journeys/welcome-series/waiting?step={firstWait}&max=1");
        Assert.Single(one.GetProperty("runs").EnumerateArray());
        Assert.True(one.GetProperty("more").GetBoolean());
    }

    [Fact]
    public async Task TemplatePreview_SampleData_RendersWithUnsubscribeHeaders_TransactionalWithout()
    {
        using var marketing = await PostJsonAsync(fixture.Api, "/api/templates/welcome/preview", """{"email":"zoe@example.com","fields":{"firstName":"Zoe"}}""");
        Assert.Equal(HttpStatusCode.OK, marketing.StatusCode);
        var email = JsonDocument.Parse(await marketing.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Zoe", email.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(email.GetProperty("html").GetString()));
        var headers = email.GetProperty("headers");
        Assert.Equal("zoe@example.com", headers.GetProperty("To").GetString());
        Assert.StartsWith("<", headers.GetProperty("List-Unsubscribe").GetString(), StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", headers.GetProperty("List-Unsubscribe-Post").GetString());

        using var transactional = await PostJsonAsync(fixture.Api, "/api/templates/welcome/preview", """{"marketing":false}""");
        Assert.False(JsonDocument.Parse(await transactional.Content.ReadAsStringAsync()).RootElement.GetProperty("headers").TryGetProperty("List-Unsubscribe", out _));
    }

    [Theory]
    [InlineData("/api/templates/no-such-template/preview", "{}", HttpStatusCode.NotFound, "id")]
    [InlineData("/api/templates/welcome/preview", """{"contactId":"nobody-stored"}""", HttpStatusCode.NotFound, "$.contactId")]
    [InlineData("/api/templates/welcome/preview", """{"journeyId":"no-such-journey"}""", HttpStatusCode.NotFound, "$.journeyId")]
    [InlineData("/api/templates/welcome/preview", """{"fields":"not an object"}""", HttpStatusCode.BadRequest, "$.fields")]
    public async Task TemplatePreview_BadInput_IsProblemNamingTheField(string path, string body, HttpStatusCode status, string field)
    {
        using var response = await PostJsonAsync(fixture.Api, path, body);
        Assert.Equal(status, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    [Theory]
    [InlineData("/api/outbox/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.BadRequest)]
    [InlineData("/api/outbox/not-an-email.txt", HttpStatusCode.BadRequest)]
    [InlineData("/api/outbox/20990101-000000-nothing.eml", HttpStatusCode.NotFound)]
    public async Task OutboxEmail_BadOrUnknownFile_IsProblemNamingFile(string path, HttpStatusCode status)
    {
        using var response = await fixture.Api.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains("\"file\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewRoutes_WithoutKeyOrSession_Are401()
    {
        using var outbox = await fixture.Anonymous.GetAsync("/api/outbox");
        Assert.Equal(HttpStatusCode.Unauthorized, outbox.StatusCode);
        using var waiting = await fixture.Anonymous.GetAsync("/api/journeys/abandoned-cart/waiting?step=grace");
        Assert.Equal(HttpStatusCode.Unauthorized, waiting.StatusCode);
        using var preview = await PostJsonAsync(fixture.Anonymous, "/api/templates/welcome/preview", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, preview.StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveWrongKeysInAMinute_Is429WithRetryAfter_EvenForTheRightKey_AndOtherAddressesStillSignIn()
    {
        // A loopback source address of its own, so this test's failures do not refuse the other tests' sign-ins.
        using var client = ClientFrom(IPAddress.Parse("127.0.0.77"));
        var bodies = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await PostJsonAsync(client, "/api/session", i % 2 == 0
                ? """{"apiKey":"wrong"}"""
                : $$"""{"apiKey":"{{DashboardFixture.ApiKey}}x"}""");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            var problem = JsonDocument.Parse(await wrong.Content.ReadAsStringAsync()).RootElement;
            bodies.Add(problem.GetProperty("errors").ToString() + problem.GetProperty("title").GetString());
        }

        // A near miss and a wild guess get the same answer: nothing says which part was wrong.
        Assert.Single(bodies.Distinct(StringComparer.Ordinal));

        using var refused = await PostJsonAsync(client, "/api/session", $$"""{"apiKey":"{{DashboardFixture.ApiKey}}"}""");
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Contains("$.apiKey", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains("Set-Cookie"));

        using var other = ClientFrom(IPAddress.Parse("127.0.0.78"));
        using var signedIn = await PostJsonAsync(other, "/api/session", $$"""{"apiKey":"{{DashboardFixture.ApiKey}}"}""");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    private HttpClient ClientFrom(IPAddress source)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = fixture.BaseAddress };
    }

    private HttpClient Client(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = fixture.BaseAddress };
    }

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await client.PostAsync(path, content);
    }

    private async Task<bool> PausedAsync(string id) =>
        (await fixture.GetJsonAsync("/api/journeys")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == id).GetProperty("paused").GetBoolean();
}

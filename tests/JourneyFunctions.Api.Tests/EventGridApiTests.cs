using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

/// <summary>
/// <c>/api/eventgrid</c> on the built-in host: Event Grid's own secret (Host:EventGridKey as Authorization: Bearer)
/// and nothing else authorises it; reports that match no email, or name another recipient, change nothing.
/// </summary>
public sealed class EventGridApiTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly TestHost _host = fixture.Host;

    private const string Validation = """
        [ { "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66", "topic": "/subscriptions/x", "subject": "",
            "data": { "validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" },
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent", "eventTime": "2026-11-23T09:00:00Z",
            "metadataVersion": "1", "dataVersion": "2" } ]
        """;

    [Fact]
    public async Task EventGrid_SubscriptionValidation_EchoesTheCode()
    {
        using var response = await PostAsync("/api/eventgrid", Validation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", body.GetProperty("validationResponse").GetString());
    }

    [Fact]
    public async Task EventGrid_CloudEventsOptionsHandshake_AllowsTheOrigin()
    {
        using var request = Request(HttpMethod.Options, "/api/eventgrid");
        request.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");

        using var response = await _host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventgrid.azure.net", response.Headers.GetValues("WebHook-Allowed-Origin").Single());
    }

    [Theory]
    [InlineData("évil.example")]
    [InlineData("a\u00a0b")]
    [InlineData("host name")]
    public async Task EventGrid_OptionsWithAnOriginThatIsNotAHostName_Returns400(string origin)
    {
        // HttpClient refuses non-ASCII header values unless told how to encode them: send them as raw UTF-8 bytes, as
        // any client on the internet can.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = _host.BaseAddress };
        using var request = Request(HttpMethod.Options, "/api/eventgrid");
        request.Headers.TryAddWithoutValidation("WebHook-Request-Origin", origin);

        using var response = await client.SendAsync(request);

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "WebHook-Request-Origin");
        Assert.False(response.Headers.Contains("WebHook-Allowed-Origin"));
    }

    [Fact]
    public async Task EventGrid_WithoutACredential_Returns401NamingAuthorization()
    {
        using var response = await _host.Anonymous.PostAsync("/api/eventgrid", Json(Validation));

        await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "Authorization");
    }

    public static TheoryData<string, string?, string?> NotTheEventGridSecret => new()
    {
        // The admin API key, however it is presented, is not Event Grid's credential.
        { "/api/eventgrid", "Bearer " + TestHost.ApiKey, null },
        { "/api/eventgrid", null, TestHost.ApiKey },
        { "/api/eventgrid?code=" + TestHost.ApiKey, null, null },
        // Nor is the right secret anywhere but the Authorization header.
        { "/api/eventgrid?code=" + TestHost.EventGridKey, null, null },
        { "/api/eventgrid", null, TestHost.EventGridKey },
        { "/api/eventgrid", "Bearer wrong", null },
    };

    [Theory]
    [MemberData(nameof(NotTheEventGridSecret))]
    public async Task EventGrid_AnythingButItsOwnSecretInTheHeader_Returns401(string path, string? authorization, string? apiKeyHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(Validation) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (apiKeyHeader is not null)
        {
            request.Headers.Add("X-Api-Key", apiKeyHeader);
        }

        using var response = await _host.Anonymous.SendAsync(request);

        await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "Authorization");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[ { \"id\": 5 } ]")]
    [InlineData("42")]
    public async Task EventGrid_NotAnEventGridDelivery_Returns400(string body)
    {
        using var response = await PostAsync("/api/eventgrid", body);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("Bounced")]
    [InlineData("Suppressed")]
    public async Task EventGrid_ForgedBounceForAnUnknownMessage_Answers200AndSuppressesNothing(string status)
    {
        using var upsert = await _host.PostJsonAsync("/api/contacts", """{ "id": "eg-victim", "email": "eg-victim@example.com", "marketingConsent": true }""");
        Assert.True(upsert.IsSuccessStatusCode);
        var report = $$"""
            [ { "id": "r-forged-{{status}}", "topic": "/subscriptions/x", "subject": "sender/x/message/m",
                "eventType": "Microsoft.Communication.EmailDeliveryReportReceived", "eventTime": "2026-11-23T09:05:00Z",
                "dataVersion": "1.0",
                "data": { "sender": "journeys@example.com", "recipient": "eg-victim@example.com", "messageId": "no-such-message",
                          "status": "{{status}}", "deliveryStatusDetails": { "statusMessage": "forged" },
                          "deliveryAttemptTimeStamp": "2026-11-23T09:04:59Z" } } ]
            """;

        using var response = await PostAsync("/api/eventgrid", report);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("unmatched").GetInt32());
        Assert.Equal(0, body.GetProperty("suppressed").GetInt32());
        Assert.False((await _host.GetJsonAsync("/api/contacts/eg-victim")).GetProperty("suppressed").GetBoolean());
    }

    [Fact]
    public async Task EventGrid_ForgedClickForAnUnknownMessage_IsNotRouted()
    {
        const string click = """
            { "id": "r-click-forged", "source": "/subscriptions/x", "subject": "sender/x/message/m", "specversion": "1.0",
              "type": "Microsoft.Communication.EmailEngagementTrackingReportReceived", "time": "2026-11-23T09:05:00Z",
              "data": { "sender": "journeys@example.com", "recipient": "eg-victim@example.com", "messageId": "no-such-message",
                        "userActionTimestamp": "2026-11-23T09:05:00Z", "engagementContext": "https://evil.example", "engagementType": "click" } }
            """;

        using var response = await PostAsync("/api/eventgrid", click);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("unmatched").GetInt32());
        Assert.Equal(0, body.GetProperty("engagements").GetInt32());
    }

    private static HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.EventGridKey);
        return request;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var request = Request(HttpMethod.Post, path);
        request.Content = Json(body);
        return await _host.Anonymous.SendAsync(request);
    }
}

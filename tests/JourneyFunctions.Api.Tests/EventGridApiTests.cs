using System.Net;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

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
        using var response = await PostAsync($"/api/eventgrid?code={TestHost.ApiKey}", Validation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", body.GetProperty("validationResponse").GetString());
    }

    [Fact]
    public async Task EventGrid_CloudEventsOptionsHandshake_AllowsTheOrigin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, $"/api/eventgrid?code={TestHost.ApiKey}");
        request.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");

        using var response = await _host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventgrid.azure.net", response.Headers.GetValues("WebHook-Allowed-Origin").Single());
    }

    [Theory]
    [InlineData("/api/eventgrid")]
    [InlineData("/api/eventgrid?code=wrong")]
    public async Task EventGrid_WithoutTheKey_Returns401NamingCode(string path)
    {
        using var response = await PostAsync(path, Validation);

        await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "code");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[ { \"id\": 5 } ]")]
    [InlineData("42")]
    public async Task EventGrid_NotAnEventGridDelivery_Returns400(string body)
    {
        using var response = await PostAsync($"/api/eventgrid?code={TestHost.ApiKey}", body);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EventGrid_ReportForAnUnknownMessage_IsCountedAsUnmatched()
    {
        const string report = """
            [ { "id": "r-unknown-1", "topic": "/subscriptions/x", "subject": "sender/x/message/m",
                "eventType": "Microsoft.Communication.EmailDeliveryReportReceived", "eventTime": "2026-11-23T09:05:00Z",
                "dataVersion": "1.0",
                "data": { "sender": "journeys@example.com", "recipient": "nobody@example.com", "messageId": "no-such-message",
                          "status": "Delivered", "deliveryStatusDetails": { "statusMessage": "ok" },
                          "deliveryAttemptTimeStamp": "2026-11-23T09:04:59Z" } } ]
            """;

        using var response = await PostAsync($"/api/eventgrid?code={TestHost.ApiKey}", report);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("unmatched").GetInt32());
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body) =>
        await _host.Anonymous.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
}

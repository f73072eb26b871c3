using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.FunctionApp.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace JourneyFunctions.FunctionApp.Tests;

/// <summary>The Functions app wired to a local OpenID tenant, as a deployed app is wired to Entra ID.</summary>
public sealed class EntraFunctionAppFixture : IAsyncLifetime
{
    public OpenIdServer Tenant { get; private set; } = null!;

    public FunctionAppHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tenant = await OpenIdServer.StartAsync();
        Host = await FunctionAppHost.StartAsync(AppStorage.Azurite, settings: Tenant.Settings());
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Tenant.DisposeAsync();
    }
}

/// <summary>The Functions app run locally: Event Grid's dedicated secret instead of Entra ID.</summary>
public sealed class SecretFunctionAppFixture : IAsyncLifetime
{
    public const string Secret = "local-eventgrid-secret";

    public FunctionAppHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await FunctionAppHost.StartAsync(AppStorage.Memory, settings: new Dictionary<string, string?> { ["EventGrid:Secret"] = Secret });

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}

/// <summary>What an HTTP function answered, executed against a real HttpContext.</summary>
public sealed record FunctionResponse(int Status, string Body, IHeaderDictionary Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

public static class EventGridCalls
{
    public static async Task<FunctionResponse> CallAsync(FunctionAppHost app, string method, string? authorization, string? body = null, string? origin = null, string? query = null)
    {
        var http = new DefaultHttpContext { RequestServices = app.Services };
        http.Request.Method = method;
        http.Request.Path = "/api/eventgrid";
        http.Request.QueryString = query is null ? QueryString.Empty : new QueryString(query);
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        if (origin is not null)
        {
            http.Request.Headers["WebHook-Request-Origin"] = origin;
        }

        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body ?? string.Empty));
        http.Response.Body = new MemoryStream();
        var functions = app.Get<EventGridFunctions>();
        var result = method == "OPTIONS"
            ? await functions.EventGridHandshake(http.Request)
            : await functions.EventGridReports(http.Request, CancellationToken.None);
        await result.ExecuteAsync(http);
        http.Response.Body.Position = 0;
        return new FunctionResponse(http.Response.StatusCode, await new StreamReader(http.Response.Body).ReadToEndAsync(), http.Response.Headers);
    }

    public const string Validation = """
        [ { "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66", "topic": "/subscriptions/x", "subject": "",
            "data": { "validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" },
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent", "eventTime": "2026-11-23T09:00:00Z",
            "metadataVersion": "1", "dataVersion": "2" } ]
        """;

    public static string Delivery(string messageId, string recipient, string status, string id) => $$"""
        [ { "id": "{{id}}", "topic": "/subscriptions/x", "subject": "sender/x/message/{{messageId}}",
            "eventType": "Microsoft.Communication.EmailDeliveryReportReceived", "eventTime": "2026-11-23T09:05:00Z",
            "dataVersion": "1.0",
            "data": { "sender": "journeys@example.com", "recipient": "{{recipient}}", "messageId": "{{messageId}}",
                      "status": "{{status}}", "deliveryStatusDetails": { "statusMessage": "{{status}}" },
                      "deliveryAttemptTimeStamp": "2026-11-23T09:04:59Z" } } ]
        """;

    public static string Click(string messageId, string recipient, string id) => $$"""
        { "id": "{{id}}", "source": "/subscriptions/x", "subject": "sender/x/message/{{messageId}}", "specversion": "1.0",
          "type": "Microsoft.Communication.EmailEngagementTrackingReportReceived", "time": "2026-11-23T09:05:00Z",
          "data": { "sender": "journeys@example.com", "recipient": "{{recipient}}", "messageId": "{{messageId}}",
                    "userActionTimestamp": "2026-11-23T09:05:00Z", "engagementContext": "https://shop.example", "engagementType": "click" } }
        """;
}

/// <summary>
/// <c>/api/eventgrid</c> in the Functions app, deployed mode: an Entra ID bearer token validated against the tenant's
/// OpenID configuration and keys, fetched over HTTP from a local tenant with a key generated for the run. The app's
/// storage is Azurite, so the ledger's recipient check runs on Table Storage.
/// </summary>
public sealed class EventGridEntraTests(EntraFunctionAppFixture fixture) : IClassFixture<EntraFunctionAppFixture>
{
    private readonly FunctionAppHost _app = fixture.Host;
    private readonly OpenIdServer _tenant = fixture.Tenant;

    [Fact]
    public async Task Reports_ValidEntraToken_CompletesTheSubscriptionHandshake()
    {
        var response = await EventGridCalls.CallAsync(_app, "POST", "Bearer " + _tenant.Token(), EventGridCalls.Validation);

        Assert.Equal(200, response.Status);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", response.Json.GetProperty("validationResponse").GetString());
        Assert.True(_tenant.Fetches >= 1, "the OpenID configuration was read from the tenant");
    }

    [Fact]
    public async Task Handshake_ValidEntraToken_AllowsTheOrigin_AndANonAsciiOriginIs400()
    {
        var allowed = await EventGridCalls.CallAsync(_app, "OPTIONS", "Bearer " + _tenant.Token(), origin: "eventgrid.azure.net");
        var refused = await EventGridCalls.CallAsync(_app, "OPTIONS", "Bearer " + _tenant.Token(), origin: "évil.example");

        Assert.Equal(200, allowed.Status);
        Assert.Equal("eventgrid.azure.net", allowed.Headers["WebHook-Allowed-Origin"].ToString());
        Assert.Equal(400, refused.Status);
        Assert.Equal("WebHook-Request-Origin", refused.Json.GetProperty("errors").EnumerateObject().Single().Name);
    }

    public static TheoryData<string> WrongTokens() => ["wrong-audience", "wrong-issuer", "other-key", "expired", "other-client", "not-a-jwt", "none"];

    [Theory]
    [MemberData(nameof(WrongTokens))]
    public async Task Reports_TokenThatIsNotEventGridsForThisApp_Returns401(string kind)
    {
        using var otherKey = RSA.Create(2048);
        var authorization = kind switch
        {
            "wrong-audience" => "Bearer " + _tenant.Token(audience: "api://another-app"),
            "wrong-issuer" => "Bearer " + _tenant.Token(issuer: "https://sts.windows.net/99999999-2222-3333-4444-555555555555/"),
            "other-key" => "Bearer " + _tenant.Token(signWith: otherKey),
            "expired" => "Bearer " + _tenant.Token(expires: DateTime.UtcNow.AddMinutes(-10)),
            "other-client" => "Bearer " + _tenant.Token(appId: "00000000-0000-0000-0000-000000000001"),
            "not-a-jwt" => "Bearer dev-key",
            _ => null,
        };

        var response = await EventGridCalls.CallAsync(_app, "POST", authorization, EventGridCalls.Validation);

        Assert.Equal(401, response.Status);
        Assert.Equal("Authorization", response.Json.GetProperty("errors").EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task Reports_ValidTokenInTheQueryString_Returns401()
    {
        var response = await EventGridCalls.CallAsync(_app, "POST", null, EventGridCalls.Validation, query: "?code=" + _tenant.Token());

        Assert.Equal(401, response.Status);
    }

    [Fact]
    public async Task Reports_ForgedOrMisaddressed_AreIgnoredWithA200_AndARealOneApplies()
    {
        await _app.PublishAsync("""
            { "id": "fa-eg", "name": "eg", "trigger": { "event": "fa.eg.start" },
              "steps": [ { "id": "welcome", "type": "email", "template": "welcome" } ] }
            """);
        var contact = "eg-" + Guid.NewGuid().ToString("N")[..6];
        var address = contact + "@example.com";
        await _app.RouteAsync(FunctionAppHost.Event(contact, "fa.eg.start", new { }, address));
        var runId = RunIds.For("fa-eg", contact, null);
        await _app.WaitForCompletionAsync(runId);
        var sent = Assert.Single(_app.Email.SentTo(address));
        var messageId = TestEmailSender.MessageIdOf(sent.OperationId);
        var token = "Bearer " + _tenant.Token();
        var suppressions = _app.Get<AddressSuppressions>();

        var unknown = await EventGridCalls.CallAsync(_app, "POST", token, EventGridCalls.Delivery("no-such-message", address, "Bounced", "r-1-" + contact));
        var misaddressed = await EventGridCalls.CallAsync(_app, "POST", token, EventGridCalls.Delivery(messageId, "victim@example.com", "Bounced", "r-2-" + contact));
        var fakeClick = await EventGridCalls.CallAsync(_app, "POST", token, EventGridCalls.Click(messageId, "victim@example.com", "r-3-" + contact));

        Assert.All([unknown, misaddressed, fakeClick], r => Assert.Equal(200, r.Status));
        Assert.Equal(1, unknown.Json.GetProperty("unmatched").GetInt32());
        Assert.Equal(1, misaddressed.Json.GetProperty("mismatched").GetInt32());
        Assert.Equal(1, fakeClick.Json.GetProperty("mismatched").GetInt32());
        Assert.Null(await suppressions.GetAsync(address));
        Assert.Null(await suppressions.GetAsync("victim@example.com"));
        Assert.Equal(LedgerStatus.Done, (await _app.Get<ISendLedger>().GetAsync(contact, runId, sent.OperationId))!.Status);

        var real = await EventGridCalls.CallAsync(_app, "POST", token, EventGridCalls.Delivery(messageId, address.ToUpperInvariant(), "Bounced", "r-4-" + contact));

        Assert.Equal(1, real.Json.GetProperty("bounced").GetInt32());
        Assert.Equal(SuppressionReason.Bounced, (await suppressions.GetAsync(address))!.Reason);
        Assert.Equal(LedgerStatus.Bounced, (await _app.Get<ISendLedger>().GetAsync(contact, runId, sent.OperationId))!.Status);
    }
}

/// <summary><c>/api/eventgrid</c> in the Functions app run locally, with no Entra ID: its dedicated secret only.</summary>
public sealed class EventGridSecretTests(SecretFunctionAppFixture fixture) : IClassFixture<SecretFunctionAppFixture>
{
    private readonly FunctionAppHost _app = fixture.Host;

    [Theory]
    [InlineData("Bearer " + SecretFunctionAppFixture.Secret, null, 200)]
    [InlineData(null, "?code=" + SecretFunctionAppFixture.Secret, 401)]
    [InlineData("Bearer wrong", null, 401)]
    [InlineData(null, null, 401)]
    public async Task Reports_OnlyTheSecretInTheAuthorizationHeader_Authorises(string? authorization, string? query, int status)
    {
        var response = await EventGridCalls.CallAsync(_app, "POST", authorization, EventGridCalls.Validation, query: query);

        Assert.Equal(status, response.Status);
    }
}

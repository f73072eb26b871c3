using System.Diagnostics;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Infrastructure.Email;

namespace JourneyFunctions.Infrastructure.Tests.Email;

public sealed class AcsEmailSenderTests : IAsyncLifetime
{
    private FakeAcsServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeAcsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static EmailMessage Message(string operationId = "run-1:email-1") => new()
    {
        OperationId = operationId,
        From = new EmailAddress("news@shop.example", "Northwind Goods"),
        To = new EmailAddress("ann@example.com", "Ann Example"),
        ReplyTo = new EmailAddress("help@shop.example", "Help desk"),
        Subject = "Ann, you left something in your cart",
        Html = "<p>Hi Ann &amp; friends</p>",
        Text = "Hi Ann & friends",
        Headers = UnsubscribeLinks.Headers("https://shop.example/api/unsubscribe?token=1.k.abc.def"),
    };

    [Fact]
    public async Task SendAsync_Accepted_PostsTheSpecShapeSignedWithTheAccessKey()
    {
        var sender = Sender();

        var result = await sender.SendAsync(Message());

        var request = Assert.Single(_server.Requests);
        Assert.True(request.SignatureValid);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/emails:send?api-version=2025-09-01", request.PathAndQuery);
        var operationId = OperationIds.ToUuid("run-1:email-1").ToString("D");
        Assert.Equal(operationId, request.Headers["Operation-Id"]);
        Assert.Equal(new EmailSendResult(operationId, "Running"), result);
        var body = request.Json;
        Assert.Equal("news@shop.example", body.GetProperty("senderAddress").GetString());
        Assert.Equal("Ann, you left something in your cart", body.GetProperty("content").GetProperty("subject").GetString());
        Assert.Equal("Hi Ann & friends", body.GetProperty("content").GetProperty("plainText").GetString());
        Assert.Equal("<p>Hi Ann &amp; friends</p>", body.GetProperty("content").GetProperty("html").GetString());
        var to = Assert.Single(body.GetProperty("recipients").GetProperty("to").EnumerateArray());
        Assert.Equal("ann@example.com", to.GetProperty("address").GetString());
        Assert.Equal("Ann Example", to.GetProperty("displayName").GetString());
        Assert.Equal("help@shop.example", body.GetProperty("replyTo")[0].GetProperty("address").GetString());
        Assert.Equal("<https://shop.example/api/unsubscribe?token=1.k.abc.def>", body.GetProperty("headers").GetProperty("List-Unsubscribe").GetString());
        Assert.Equal("List-Unsubscribe=One-Click", body.GetProperty("headers").GetProperty("List-Unsubscribe-Post").GetString());
        Assert.False(body.GetProperty("userEngagementTrackingDisabled").GetBoolean());
    }

    [Fact]
    public async Task SendAsync_SenderAddressOptionAndOlderApiVersion_UsedInTheRequest()
    {
        var sender = Sender(o =>
        {
            o.SenderAddress = "DoNotReply@1234.azurecomm.net";
            o.ApiVersion = "2023-03-31";
        });

        await sender.SendAsync(Message() with { TrackEngagement = false });

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/emails:send?api-version=2023-03-31", request.PathAndQuery);
        Assert.Equal("DoNotReply@1234.azurecomm.net", request.Json.GetProperty("senderAddress").GetString());
        Assert.True(request.Json.GetProperty("userEngagementTrackingDisabled").GetBoolean());
    }

    [Fact]
    public async Task SendAsync_WrongAccessKey_PermanentFailureWithTheServiceCode()
    {
        var sender = new AcsEmailSender(Options(o => o.ConnectionString = $"endpoint={_server.Endpoint};accesskey={Convert.ToBase64String(new byte[32])}"));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(Message()));

        Assert.False(exception.Transient);
        Assert.Contains("401 Denied", exception.Message, StringComparison.Ordinal);
        Assert.False(Assert.Single(_server.Requests).SignatureValid);
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfterThenAccepted_RetriesTheSameOperationAfterTheDelay()
    {
        _server.EnqueueSend(FakeAcsServer.Error(429, "TooManyRequests", "slow down", retryAfter: 1));
        var sender = Sender();
        var clock = Stopwatch.StartNew();

        var result = await sender.SendAsync(Message());

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {clock.Elapsed}");
        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.True(r.SignatureValid));
        Assert.Equal(requests[0].Headers["Operation-Id"], requests[1].Headers["Operation-Id"]);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.Equal(requests[0].Headers["Operation-Id"], result.MessageId);
    }

    [Fact]
    public async Task SendAsync_429BeyondTheRetries_TransientWithRetryAfter()
    {
        _server.EnqueueSend(
            FakeAcsServer.Error(429, "TooManyRequests", "quota", retryAfter: 1),
            FakeAcsServer.Error(429, "TooManyRequests", "quota", retryAfter: 7));
        var sender = Sender(o => o.MaxRetries = 1);

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(Message()));

        Assert.True(exception.Transient);
        Assert.Equal(TimeSpan.FromSeconds(7), exception.RetryAfter);
        Assert.Contains("TooManyRequests", exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_500ThenAccepted_Retries()
    {
        _server.EnqueueSend(FakeAcsServer.Error(500, "InternalError", "boom"));

        var result = await Sender().SendAsync(Message());

        Assert.Equal("Running", result.Status);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task SendAsync_ServerErrorsBeyondTheRetries_Transient(int status)
    {
        _server.EnqueueSend(FakeAcsServer.Error(status, "ServiceUnavailable", "down"), FakeAcsServer.Error(status, "ServiceUnavailable", "down"), FakeAcsServer.Error(status, "ServiceUnavailable", "down"));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => Sender(o => o.MaxRetries = 2).SendAsync(Message()));

        Assert.True(exception.Transient);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_AcceptanceLostAndThePipelineRetries_AlreadySentNotAFailure()
    {
        _server.LoseNextAcceptances();

        var result = await Sender(o => o.RetryDelay = TimeSpan.FromMilliseconds(10)).SendAsync(Message());

        var requests = _server.Requests.ToList();
        var operationId = OperationIds.ToUuid("run-1:email-1").ToString("D");
        Assert.Equal(["POST", "POST", "GET"], requests.Select(r => r.Method));
        Assert.All(requests, r => Assert.True(r.SignatureValid));
        Assert.Equal(operationId, requests[1].Headers["Operation-Id"]);
        Assert.StartsWith($"/emails/operations/{operationId}?api-version=", requests[2].PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(operationId, result.MessageId);
        Assert.Equal("Succeeded", result.Status);
        Assert.Equal([operationId], _server.Operations);
    }

    [Fact]
    public async Task SendAsync_StepRetriedAfterALostAcceptance_SecondSendIsAlreadySent()
    {
        _server.LoseNextAcceptances();
        var sender = Sender(o => o.MaxRetries = 0);

        var first = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(Message()));
        var second = await sender.SendAsync(Message());

        Assert.True(first.Transient);
        Assert.Equal(OperationIds.ToUuid("run-1:email-1").ToString("D"), second.MessageId);
        Assert.Equal("Succeeded", second.Status);
        Assert.Single(_server.Operations);
    }

    [Fact]
    public async Task SendAsync_SameOperationSentAgainAfterA202_AlreadySentWithTheSameId()
    {
        var sender = Sender();
        var first = await sender.SendAsync(Message());

        var again = await sender.SendAsync(Message());

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal("Succeeded", again.Status);
        Assert.Equal(["POST", "POST", "GET"], _server.Requests.Select(r => r.Method));
        Assert.Single(_server.Operations);
    }

    [Fact]
    public async Task SendAsync_RepeatedOperationThatFailed_PermanentWithTheOperationsErrorCode()
    {
        await Sender().SendAsync(Message());
        var id = OperationIds.ToUuid("run-1:email-1").ToString("D");
        _server.EnqueuePoll(new AcsReply(200, $$$"""{"id":"{{{id}}}","status":"Failed","error":{"code":"EmailDroppedAllRecipientsSuppressed","message":"All recipients are suppressed."}}"""));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => Sender().SendAsync(Message()));

        Assert.False(exception.Transient);
        Assert.Contains("EmailDroppedAllRecipientsSuppressed", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(409, "Conflict")]
    [InlineData(400, "DuplicateOperationId")]
    public async Task SendAsync_RepeatRefusalForAnOperationTheServiceDoesNotHave_TheRefusalStands(int status, string code)
    {
        _server.EnqueueSend(FakeAcsServer.Error(status, code, "refused"));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => Sender().SendAsync(Message()));

        Assert.False(exception.Transient);
        Assert.Contains($"{status} {code}: refused", exception.Message, StringComparison.Ordinal);
        Assert.Equal(["POST", "GET"], _server.Requests.Select(r => r.Method));
    }

    [Theory]
    [InlineData(400, "BadRequest", "Invalid email address format.")]
    [InlineData(401, "Unauthorized", "Key expired.")]
    [InlineData(403, "Forbidden", "Sender domain not linked.")]
    [InlineData(404, "NotFound", "Resource missing.")]
    [InlineData(413, "PayloadTooLarge", "Message exceeds 10 MB.")]
    public async Task SendAsync_ClientError_PermanentWithCodeAndMessageAndNoRetry(int status, string code, string message)
    {
        _server.EnqueueSend(FakeAcsServer.Error(status, code, message));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => Sender().SendAsync(Message()));

        Assert.False(exception.Transient);
        Assert.Null(exception.RetryAfter);
        Assert.Contains($"{status} {code}: {message}", exception.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task SendAsync_ServiceUnreachable_Transient()
    {
        var endpoint = _server.Endpoint;
        await _server.DisposeAsync();
        _server = await FakeAcsServer.StartAsync();
        var sender = new AcsEmailSender(Options(o =>
        {
            o.ConnectionString = $"endpoint={endpoint};accesskey={Convert.ToBase64String(new byte[32])}";
            o.MaxRetries = 1;
        }));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(Message()));

        Assert.True(exception.Transient);
    }

    [Fact]
    public async Task SendAsync_WaitForCompletion_PollsOperationLocationUntilSucceeded()
    {
        var id = OperationIds.ToUuid("run-1:email-1").ToString("D");
        _server.EnqueueSend(FakeAcsServer.Accepted(id, location: $"{_server.Endpoint}emails/operations/{id}?api-version=2025-09-01", retryAfter: 1));
        _server.EnqueuePoll(new AcsReply(200, $$"""{"id":"{{id}}","status":"Running"}"""));
        var sender = Sender(o => o.WaitForCompletion = true);
        var clock = Stopwatch.StartNew();

        var result = await sender.SendAsync(Message());

        Assert.Equal(new EmailSendResult(id, "Succeeded"), result);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), "the first poll waits for retry-after");
        var polls = _server.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal(2, polls.Count);
        Assert.All(polls, p => Assert.Equal($"/emails/operations/{id}?api-version=2025-09-01", p.PathAndQuery));
        Assert.All(polls, p => Assert.True(p.SignatureValid));
    }

    [Fact]
    public async Task SendAsync_WaitForCompletionAndOperationFailed_PermanentWithTheErrorCode()
    {
        var id = OperationIds.ToUuid("run-1:email-1").ToString("D");
        _server.EnqueuePoll(new AcsReply(200, $$$"""{"id":"{{{id}}}","status":"Failed","error":{"code":"EmailDroppedAllRecipientsSuppressed","message":"All recipients are suppressed."}}"""));

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => Sender(o => o.WaitForCompletion = true).SendAsync(Message()));

        Assert.False(exception.Transient);
        Assert.Contains("EmailDroppedAllRecipientsSuppressed", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_WaitForCompletionStillRunningAtTheBound_ReturnsRunning()
    {
        var id = OperationIds.ToUuid("run-1:email-1").ToString("D");
        _server.EnqueuePoll(Enumerable.Range(0, 50).Select(_ => new AcsReply(200, $$"""{"id":"{{id}}","status":"Running"}""")).ToArray());

        var result = await Sender(o =>
        {
            o.WaitForCompletion = true;
            o.MaxPollDuration = TimeSpan.FromMilliseconds(300);
        }).SendAsync(Message());

        Assert.Equal("Running", result.Status);
        Assert.InRange(_server.Requests.Count(r => r.Method == "GET"), 1, 10);
    }

    [Fact]
    public async Task SendAsync_EntraIdCredential_SendsTheBearerTokenForTheCommunicationScopeOverTls()
    {
        using var certificate = SelfSignedCertificate();
        await using var server = await FakeAcsServer.StartAsync(certificate, bearerToken: "entra-token-1");
        var credential = new RecordingCredential("entra-token-1");
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint };
        var sender = new AcsEmailSender(
            new AcsEmailOptions { Endpoint = server.Endpoint.ToString(), RetryDelay = TimeSpan.FromMilliseconds(20) },
            credential,
            new Azure.Core.Pipeline.HttpClientTransport(handler));

        var result = await sender.SendAsync(Message());

        Assert.Equal("Running", result.Status);
        Assert.True(Assert.Single(server.Requests).SignatureValid);
        Assert.Equal([AcsEmailSender.TokenScope], credential.Scopes);
        Assert.Equal("https://communication.azure.com//.default", AcsEmailSender.TokenScope);
    }

    [Fact]
    public void ToUuid_SameOperationId_SameVersion5Uuid()
    {
        var a = OperationIds.ToUuid("run-1:email-1");

        Assert.Equal(a, OperationIds.ToUuid("run-1:email-1"));
        Assert.NotEqual(a, OperationIds.ToUuid("run-1:email-2"));
        Assert.Equal(5, a.Version);
        Assert.Equal(Guid.Parse("8540c0de-899f-5cce-acb5-3ec493af3800"), OperationIds.ToUuid("8540c0de-899f-5cce-acb5-3ec493af3800"));
    }

    [Theory]
    [InlineData("accesskey=AAAA")]
    [InlineData("endpoint=https://x.communication.azure.com/")]
    [InlineData("endpoint=https://x.communication.azure.com/;accesskey=not base64!")]
    [InlineData("endpoint=not a url;accesskey=AAAA")]
    public void Parse_BadConnectionString_Throws(string connectionString)
    {
        Assert.Throws<FormatException>(() => AcsConnectionString.Parse(connectionString));
    }

    [Fact]
    public void Parse_ConnectionStringAnyCase_ReadsEndpointAndKey()
    {
        var parsed = AcsConnectionString.Parse("Endpoint=https://x.communication.azure.com/; AccessKey=AQID");

        Assert.Equal(new Uri("https://x.communication.azure.com/"), parsed.Endpoint);
        Assert.Equal(new byte[] { 1, 2, 3 }, parsed.AccessKey);
    }

    private AcsEmailSender Sender(Action<AcsEmailOptions>? configure = null) => new(Options(configure));

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSignedCertificate()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(created.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    /// <summary>A credential that hands out a fixed token and records the scopes it was asked for.</summary>
    private sealed class RecordingCredential(string token) : Azure.Core.TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new Azure.Core.AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private AcsEmailOptions Options(Action<AcsEmailOptions>? configure)
    {
        var options = new AcsEmailOptions
        {
            ConnectionString = _server.ConnectionString,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromSeconds(10),
            PollInterval = TimeSpan.FromMilliseconds(50),
            NetworkTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using JourneyFunctions.Host.Tests.Support;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Xunit.Abstractions;

namespace JourneyFunctions.Api.Tests;

/// <summary>
/// A seeded, bounded fuzzer over every route of the API (<see cref="ApiRoutes.All"/>) on the built-in host, memory
/// and Azurite: wrong types, missing and extra fields, deep nesting, huge bodies, invalid UTF-8, odd content types,
/// numbers outside every range, odd ids and queries. It fails on any 5xx, then checks that the host is healthy and
/// that every event accepted before the fuzz was processed. The seed is fixed, so a failure replays exactly.
/// </summary>
public abstract class ApiFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    public const int Seed = 15;
    public const int RequestsPerRoute = 200;

    private static readonly string[] FieldNames =
    [
        "id", "contactId", "name", "data", "occurredAt", "contact", "email", "timeZone", "fields", "tags", "marketingConsent",
        "consentSource", "consentAt", "steps", "trigger", "type", "duration", "template", "events", "expect", "journey", "total",
        "eventType", "subject", "recipient", "messageId", "status", "specversion", "source", "validationCode", "\u0000", "$ref", "__proto__",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "1e30", "1e400", "-1e400", "1E-400", "9223372036854775808", "-9223372036854775809", "0.1",
        "123456789012345678901234567890", "1.7976931348623157e308", "4.9e-324", "2147483648", "1e-7", "00", "1.", ".5", "+1", "0x10",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=latin1", "text/plain", "text/json",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/cloudevents+json",
        "application/cloudevents-batch+json", "application/xml", "a/b/c", "application/problem+json", "",
    ];

    private TestHost _host = null!;

    protected abstract Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync();

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(await StorageSettingsAsync());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EveryRoute_FuzzedRequests_No5xx_HostHealthy_AcceptedEventsProcessed()
    {
        var before = Enumerable.Range(0, 10).Select(i => $"fuzz-before-{i}").ToList();
        foreach (var contactId in before)
        {
            using var accepted = await _host.PostJsonAsync("/api/events", $$"""{ "contactId": "{{contactId}}", "name": "cart.updated", "data": { "cartId": "c-{{contactId}}", "total": 10 }, "contact": { "email": "{{contactId}}@example.com" } }""");
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var byStatus = new SortedDictionary<int, int>();
        var failures = new List<string>();
        foreach (var (route, index) in ApiRoutes.All.Select((r, i) => (r, i)))
        {
            var random = new Random(Seed * 1000 + index);
            for (var i = 0; i < RequestsPerRoute; i++)
            {
                using var request = BuildRequest(route, random, out var description, out var bodyBytes);
                int status;
                try
                {
                    using var response = await _host.Anonymous.SendAsync(request);
                    status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        failures.Add($"{status} {description}: {Truncate(await response.Content.ReadAsStringAsync())}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    // A server that refuses a body over its limit (413) may close the connection before the client has
                    // sent it all: a refusal, not a fault. Anything else without an answer is a failure.
                    status = 0;
                    if (bodyBytes <= 256 * 1024)
                    {
                        failures.Add($"no answer {description}: {ex.Message}");
                    }
                }

                byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            }
        }

        failures.Sort((a, b) => string.CompareOrdinal(b[..3], a[..3]));
        output.WriteLine($"{ApiRoutes.All.Count} routes x {RequestsPerRoute} requests, seed {Seed}: " + string.Join(", ", byStatus.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} requests answered 5xx:\n" + string.Join("\n", failures.Take(20)));

        var health = await _host.Anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var contactId in before)
        {
            await TestHost.WaitUntilAsync(
                async () =>
                {
                    using var response = await _host.Client.GetAsync("/api/contacts/" + contactId);
                    return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"message\":\"cart.updated\"", StringComparison.Ordinal);
                },
                $"the event of {contactId} accepted before the fuzz was processed",
                TimeSpan.FromSeconds(30));
        }
    }

    private static HttpRequestMessage BuildRequest(ApiRoute route, Random random, out string description, out int bodyBytes)
    {
        var path = route.Path.Replace("{id}", Id(random), StringComparison.Ordinal) + Query(random);
        var request = new HttpRequestMessage(new HttpMethod(route.Method.ToUpperInvariant()), path);
        var keyed = random.Next(10) != 0;
        if (keyed)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", TestHost.ApiKey);
        }

        if (random.Next(6) == 0)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Pick(random, ["k", new string('k', 500), "%C3%A9", "a b", ""]));
        }

        request.Headers.TryAddWithoutValidation("Accept", Pick(random, ["application/json", "text/html", "*/*", "text/vnd.mermaid", "x/y;q=abc", ""]));
        if (route.Method == ApiRoutes.Methods.Options)
        {
            request.Headers.TryAddWithoutValidation("WebHook-Request-Origin", Pick(random, ["eventgrid.azure.net", "", "xn--9ca.example", new string('a', 3000)]));
        }

        var (body, kind) = Body(route, random);
        bodyBytes = body?.Length ?? 0;
        if (bodyBytes > 256 * 1024)
        {
            // The server may answer 413 without reading the rest and drop the connection: never reuse it.
            request.Headers.ConnectionClose = true;
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            var type = Pick(random, ContentTypes);
            if (type.Length > 0)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }

            kind += " as " + (type.Length == 0 ? "no content type" : type);
        }

        description = $"{request.Method} {path} ({(keyed ? "key" : "no key")}, {kind})";
        return request;
    }

    private static string Id(Random random) => random.Next(12) switch
    {
        0 => "welcome-series",
        1 => "fuzz-during",
        2 => Uri.EscapeDataString(new string('é', random.Next(1, 300))),
        3 => Uri.EscapeDataString("gid://shopify/Customer/" + random.Next()),
        4 => "%zz",
        5 => "%00",
        6 => "%C0%AF",
        7 => new string('a', random.Next(80, 3000)),
        8 => Uri.EscapeDataString("\ud83d\ude00" + random.Next()),
        9 => "..",
        10 => "%2F%2F",
        _ => Uri.EscapeDataString(RandomText(random, 20)),
    };

    private static string Query(Random random) => random.Next(10) switch
    {
        0 => "?version=abc",
        1 => "?version=-1",
        2 => "?version=99999999999999999999",
        3 => "?version=1",
        4 => "?token=" + Uri.EscapeDataString(RandomText(random, 60)),
        5 => "?token=1.test.e30.AAAA",
        6 => "?token=" + new string('A', 5000),
        7 => "?version=1&version=2",
        _ => string.Empty,
    };

    private static (byte[]? Body, string Kind) Body(ApiRoute route, Random random)
    {
        if (route.Method is ApiRoutes.Methods.Get or ApiRoutes.Methods.Delete or ApiRoutes.Methods.Options && random.Next(4) != 0)
        {
            return (null, "no body");
        }

        switch (random.Next(14))
        {
            case 0:
                return (null, "no body");
            case 1:
                return ("[]"u8.ToArray(), "empty array");
            case 2:
                var depth = random.Next(64, 20_000);
                return (Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), $"nesting {depth}");
            case 3:
                var size = random.Next(2) == 0 ? 300 * 1024 : 5 * 1024 * 1024;
                return (Encoding.UTF8.GetBytes("{\"contactId\":\"a\",\"name\":\"x.y\",\"data\":{\"blob\":\"" + new string('x', size) + "\"}}"), $"huge {size}");
            case 4:
                return ([0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D], "invalid UTF-8");
            case 5:
                return ("{\"contactId\":"u8.ToArray(), "truncated");
            case 6:
                return ("List-Unsubscribe=One-Click&token=%zz"u8.ToArray(), "form");
            case 7:
                return (Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, random.Next(1, 150)).Select(_ => RandomObject(random, 3))) + "]"), "batch");
            case 8:
                return (Encoding.UTF8.GetBytes($$"""{ "id": "fz{{random.Next()}}", "contactId": "fz{{random.Next(5)}}", "name": "cart.updated", "data": { "total": {{Pick(random, Numbers)}}, "cartId": {{RandomValue(random, 1)}} }, "contact": { "email": {{RandomValue(random, 0)}}, "timeZone": {{RandomValue(random, 0)}}, "consentAt": {{RandomValue(random, 0)}} } }"""), "event-shaped");
            case 9:
                return (Encoding.UTF8.GetBytes($$"""{ "id": "fuzz-journey", "name": "Fuzz", "trigger": { "event": {{RandomValue(random, 1)}} }, "steps": [ { "id": "w", "type": {{RandomValue(random, 0)}}, "duration": {{RandomValue(random, 0)}} }, { "id": "hook", "type": "webhook", "url": {{RandomValue(random, 0)}} } ] }"""), "journey-shaped");
            case 10:
                return (Encoding.UTF8.GetBytes($$"""[{ "id": "{{random.Next()}}", "type": "Microsoft.Communication.EmailDeliveryReportReceived", "source": "/x", "specversion": "1.0", "data": {{RandomObject(random, 3)}} }]"""), "cloudevent-shaped");
            case 11:
                return (Encoding.UTF8.GetBytes($$"""{ "events": [ { "at": {{RandomValue(random, 0)}}, "name": {{RandomValue(random, 0)}} } ], "contact": {{RandomObject(random, 2)}}, "expect": {{RandomValue(random, 2)}} }"""), "scenario-shaped");
            case 12:
                return ("  \r\n "u8.ToArray(), "whitespace");
            default:
                return (Encoding.UTF8.GetBytes(RandomObject(random, 5)), "random object");
        }
    }

    private static string RandomObject(Random random, int depth)
    {
        var fields = Enumerable.Range(0, random.Next(0, 8)).Select(_ => $"{Quote(Pick(random, FieldNames))}: {RandomValue(random, depth - 1)}");
        return "{" + string.Join(", ", fields) + "}";
    }

    private static string RandomValue(Random random, int depth) => random.Next(depth > 0 ? 9 : 6) switch
    {
        0 => Pick(random, Numbers),
        1 => Quote(RandomText(random, random.Next(0, 40))),
        2 => Pick(random, ["true", "false", "null"]),
        3 => Quote(Pick(random, ["ana@example.com", "a@b.com,c@evil.com", "Europe/Madrid", "Mars/Olympus", "2026-11-23T10:00:00Z", "2999-01-01T00:00:00Z", "PT1H", "P-1D", "https://169.254.169.254/", "{{secret:x}}", "\\ud800", "\\u0000"])),
        4 => Quote(new string('z', random.Next(1000, 70_000))),
        5 => "\"" + Pick(random, ["\\ud800", "\\udfff\\ud800", "\\u0000", "\\\\", "\\\""]) + "\"",
        6 => RandomObject(random, depth),
        7 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(random, depth - 1))) + "]",
        _ => Quote(Pick(random, FieldNames)),
    };

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "abcXYZ019 -_./:@+%#?&=é中\u00a0\u200b<>'";
        return new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Truncate(string text) => text.Length > 300 ? text[..300] : text;
}

public sealed class MemoryApiFuzzTests(ITestOutputHelper output) : ApiFuzzTests(output)
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" });
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteApiFuzzTests(AzuriteFixture azurite, ITestOutputHelper output) : ApiFuzzTests(output)
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "fuzz" + suffix,
            ["Storage:QueueName"] = "fuzz-" + suffix,
        });
    }
}

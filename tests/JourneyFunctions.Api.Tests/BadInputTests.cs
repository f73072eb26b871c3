using System.Net;
using System.Net.Http.Headers;
using System.Text;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

/// <summary>Bad requests get the right 4xx with a problem naming the field; none of them ever gets a 5xx.</summary>
public sealed class BadInputTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly TestHost _host = fixture.Host;

    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        // method, path, body, expected status, field named in errors
        { "POST", "/api/events", "{ \"contactId\": \"a\", \"name\": ", 400, "$.name" },
        { "POST", "/api/events", "{ \"contactId\": 42, \"name\": \"order.placed\" }", 400, "$.contactId" },
        { "POST", "/api/events", "{ \"name\": \"order.placed\" }", 400, "$.contactId" },
        { "POST", "/api/events", "{ \"contactId\": \"a\" }", 400, "$.name" },
        { "POST", "/api/events", "{ \"contactId\": \"a\", \"name\": \"x\", \"data\": [1, 2] }", 400, "$.data" },
        { "POST", "/api/events", "{ \"contactId\": \"a\", \"name\": \"x\", \"occurredAt\": \"yesterday\" }", 400, "$.occurredAt" },
        { "POST", "/api/events", "{ \"contactId\": \"a\", \"name\": \"x\", \"contact\": { \"timeZone\": \"Nowhere/Land\" } }", 400, "$.contact.timeZone" },
        { "POST", "/api/events", "{ \"contactId\": \"a\", \"name\": \"x\", \"contact\": { \"marketingConsent\": \"yes\" } }", 400, "$.contact.marketingConsent" },
        { "POST", "/api/events", "{ \"contactId\": \"a\", \"nmae\": \"x\" }", 400, "$.nmae" },
        { "POST", "/api/events", "[ { \"contactId\": \"a\", \"name\": \"x\" }, 7 ]", 400, "$[1]" },
        { "POST", "/api/events", "[ { \"contactId\": \"a\", \"name\": \"x\" }, null ]", 400, "$[1]" },
        { "POST", "/api/events", "[]", 400, "$" },
        { "POST", "/api/events", "\"just a string\"", 400, "$" },
        { "POST", "/api/events", "", 400, "$" },
        { "POST", "/api/events", "null", 400, "$" },
        { "POST", "/api/contacts", "{ \"id\": \"a\", \"fields\": [] }", 400, "$.fields" },
        { "PUT", "/api/journeys/bad-journey", "{ \"id\": \"bad-journey\" }", 400, "$.name" },
        { "PUT", "/api/journeys/bad-journey", "{ \"id\": \"bad-journey\", \"name\": \"B\", \"trigger\": { \"event\": \"x\" }, \"steps\": [ { \"id\": \"s\", \"type\": \"teleport\" } ] }", 400, "$.steps[0].type" },
        { "PUT", "/api/journeys/bad-journey", "[1, 2, 3]", 400, "$" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_BadInput_Returns4xxNamingTheField(string method, string path, string body, int status, string field)
    {
        using var response = await SendAsync(method, path, body, "application/json");

        await Problems.AssertFieldAsync(response, (HttpStatusCode)status, field);
    }

    [Fact]
    public async Task PostEvents_BodyOverTheLimit_Returns413()
    {
        var big = "{ \"contactId\": \"a\", \"name\": \"x\", \"data\": { \"blob\": \"" + new string('x', 300 * 1024) + "\" } }";

        using var response = await SendAsync("POST", "/api/events", big, "application/json");

        await Problems.AssertFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "$");
    }

    [Fact]
    public async Task PutJourney_BodyOverTheLimit_Returns413()
    {
        var big = "{ \"id\": \"huge\", \"description\": \"" + new string('x', 1100 * 1024) + "\" }";

        using var response = await SendAsync("PUT", "/api/journeys/huge", big, "application/json");

        await Problems.AssertFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "$");
    }

    [Fact]
    public async Task PostEvents_ChunkedBodyOverTheLimit_Returns413()
    {
        var big = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("{\"contactId\":\"a\",\"name\":\"x\"}", 12_000)) + "]");
        using var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _host.Client.SendAsync(request);

        await Problems.AssertFieldAsync(response, HttpStatusCode.RequestEntityTooLarge, "$");
    }

    [Fact]
    public async Task PostEvents_NotJsonContentType_Returns415()
    {
        using var response = await SendAsync("POST", "/api/events", "contactId=a&name=x", "application/x-www-form-urlencoded");

        await Problems.AssertFieldAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        using var response = await _host.Client.GetAsync("/api/nothing-here");

        await Problems.AssertAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Requests_FuzzedBodies_NeverGet5xx()
    {
        var random = new Random(20261123);
        var seeds = new[]
        {
            "{ \"contactId\": \"fuzz\", \"name\": \"order.placed\", \"data\": { \"orderId\": \"o1\", \"total\": 12.5 } }",
            "[ { \"contactId\": \"fuzz\", \"name\": \"cart.updated\", \"data\": { \"cartId\": \"c1\" } } ]",
            "{ \"id\": \"fuzz\", \"email\": \"fuzz@example.com\", \"fields\": { \"a\": 1 }, \"tags\": [\"x\"] }",
            File.ReadAllText(Path.Combine(TestHost.RepositoryRoot, "journeys", "abandoned-cart.json")),
        };
        var targets = new[] { ("POST", "/api/events"), ("POST", "/api/events"), ("POST", "/api/contacts"), ("PUT", "/api/journeys/abandoned-cart-fuzz") };
        var failures = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var which = random.Next(seeds.Length);
            var body = Mutate(seeds[which], random);
            var (method, path) = targets[which];
            using var response = await SendAsync(method, path, body, random.Next(10) == 0 ? "text/plain" : "application/json");
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{method} {path} -> {(int)response.StatusCode}: {body}");
            }
            else if (!response.IsSuccessStatusCode)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Empty(failures);
    }

    private static string Mutate(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        var edits = random.Next(1, 4);
        const string alphabet = "{}[]\",:0123456789.-eE \\nulltruefalse\u00e9\u0000\ud83d\ude00";
        for (var e = 0; e < edits && text.Length > 0; e++)
        {
            var at = random.Next(text.Length);
            switch (random.Next(4))
            {
                case 0:
                    text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                    break;
                case 1:
                    text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
                case 2:
                    text[at] = alphabet[random.Next(alphabet.Length)];
                    break;
                default:
                    text.Length = at;
                    break;
            }
        }

        return text.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body, string contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await _host.Client.SendAsync(request);
    }
}

using System.Net;
using System.Net.Http.Headers;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Host.Tests;

public sealed class ApiKeyTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly TestHost _host = fixture.Host;

    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", "/api/events" },
        { "POST", "/api/contacts" },
        { "GET", "/api/contacts/someone" },
        { "DELETE", "/api/contacts/someone" },
        { "GET", "/api/journeys" },
        { "PUT", "/api/journeys/welcome-series" },
        { "GET", "/api/journeys/welcome-series" },
        { "POST", "/api/journeys/welcome-series/pause" },
        { "POST", "/api/journeys/welcome-series/resume" },
        { "GET", "/api/journeys/welcome-series/stats" },
        { "GET", "/api/journeys/welcome-series/map" },
        { "POST", "/api/journeys/welcome-series/simulate" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_WithoutKey_Returns401NamingTheHeader(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") };

        using var response = await _host.Anonymous.SendAsync(request);

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Contains("required", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_WithWrongKey_Returns401(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") };
        request.Headers.Add("X-Api-Key", "not-the-key");

        using var response = await _host.Anonymous.SendAsync(request);

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Contains("not a valid", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoint_WithBearerOrFunctionsKeyHeader_IsAccepted_ButNotInTheQueryString()
    {
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/journeys");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.ApiKey);
        using var functionsKey = new HttpRequestMessage(HttpMethod.Get, "/api/journeys");
        functionsKey.Headers.Add("x-functions-key", TestHost.ApiKey);

        using var byBearer = await _host.Anonymous.SendAsync(bearer);
        using var byFunctionsKey = await _host.Anonymous.SendAsync(functionsKey);
        using var byCode = await _host.Anonymous.GetAsync($"/api/journeys?code={TestHost.ApiKey}");

        Assert.Equal(HttpStatusCode.OK, byBearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byFunctionsKey.StatusCode);
        await Problems.AssertFieldAsync(byCode, HttpStatusCode.Unauthorized, "code");
    }

    [Fact]
    public async Task Health_WithoutKey_Returns200()
    {
        using var response = await _host.Anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static StringContent Json(string json) => new(json, MediaTypeHeaderValue.Parse("application/json"));
}

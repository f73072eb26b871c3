using System.Net;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

public sealed class ContactsApiTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly TestHost _host = fixture.Host;

    [Fact]
    public async Task UpsertContact_ThenGet_ReturnsProfileTagsAndConsent()
    {
        using var upsert = await _host.PostJsonAsync("/api/contacts", """
            { "id": "contact-upsert", "email": "ana@example.com", "timeZone": "Europe/Madrid",
              "fields": { "firstName": "Ana", "loyaltyPoints": 120 }, "tags": ["vip"],
              "marketingConsent": true, "consentSource": "signup-form" }
            """);
        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);

        var contact = await _host.GetJsonAsync("/api/contacts/contact-upsert");

        Assert.Equal("ana@example.com", contact.GetProperty("email").GetString());
        Assert.Equal("Europe/Madrid", contact.GetProperty("timeZone").GetString());
        Assert.Equal("Ana", contact.GetProperty("fields").GetProperty("firstName").GetString());
        Assert.Equal(120, contact.GetProperty("fields").GetProperty("loyaltyPoints").GetInt32());
        Assert.Equal(["vip"], contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(contact.GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.Equal("signup-form", contact.GetProperty("consent").GetProperty("source").GetString());
        Assert.False(contact.GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Array, contact.GetProperty("activeRuns").ValueKind);
        Assert.Equal(JsonValueKind.Array, contact.GetProperty("timeline").ValueKind);
    }

    [Fact]
    public async Task UpsertContact_SecondCall_ChangesOnlyWhatItSends()
    {
        using var first = await _host.PostJsonAsync("/api/contacts", """{ "id": "contact-partial", "email": "bo@example.com", "tags": ["a"] }""");
        using var second = await _host.PostJsonAsync("/api/contacts", """{ "id": "contact-partial", "tags": ["b"], "fields": { "country": "ES" } }""");

        var contact = await _host.GetJsonAsync("/api/contacts/contact-partial");

        Assert.Equal("bo@example.com", contact.GetProperty("email").GetString());
        Assert.Equal(["a", "b"], contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("ES", contact.GetProperty("fields").GetProperty("country").GetString());
    }

    [Theory]
    [InlineData("""{ "email": "x@example.com" }""", "$.id")]
    [InlineData("""{ "id": "c", "email": "not-an-address" }""", "$.email")]
    [InlineData("""{ "id": "c", "timeZone": "Mars/Olympus" }""", "$.timeZone")]
    [InlineData("""{ "id": "c", "marketingConsent": "yes" }""", "$.marketingConsent")]
    [InlineData("""{ "id": "c", "tags": "vip" }""", "$.tags")]
    [InlineData("""{ "id": "c", "emial": "typo@example.com" }""", "$.emial")]
    public async Task UpsertContact_BadField_Returns400NamingIt(string body, string field)
    {
        using var response = await _host.PostJsonAsync("/api/contacts", body);

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task GetContact_Unknown_Returns404Problem()
    {
        using var response = await _host.Client.GetAsync("/api/contacts/nobody-here");

        await Problems.AssertFieldAsync(response, HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task EraseContact_Existing_Returns204AndTheContactIsGone()
    {
        using var upsert = await _host.PostJsonAsync("/api/contacts", """{ "id": "contact-erase", "email": "gone@example.com" }""");

        using var erase = await _host.Client.DeleteAsync("/api/contacts/contact-erase");
        using var after = await _host.Client.GetAsync("/api/contacts/contact-erase");
        using var again = await _host.Client.DeleteAsync("/api/contacts/contact-erase");

        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }
}

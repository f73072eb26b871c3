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

    [Theory]
    [InlineData("""{ "id": "contact-big", "fields": { "ltv": 1e30 } }""", "$.fields.ltv")]
    [InlineData("""{ "id": "contact-big", "fields": { "orders": [ 1, -1E400 ] } }""", "$.fields.orders[1]")]
    [InlineData("""{ "id": "contact-big", "fields": { "odd key": { "n": 1e29 } } }""", "$.fields['odd key'].n")]
    public async Task UpsertContact_NumberBeyondWhatTheEngineHandles_Returns400NamingThePathAndStoresNothing(string body, string field)
    {
        using var response = await _host.PostJsonAsync("/api/contacts", body);

        var message = await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Contains("beyond the numbers journeys handle", message, StringComparison.Ordinal);
        using var read = await _host.Client.GetAsync(new Uri("/api/contacts/contact-big", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
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

    [Fact]
    public async Task SearchContacts_ByEmail_FindsEveryContactWithTheAddressUntilErased()
    {
        using var a = await _host.PostJsonAsync("/api/contacts", """{ "id": "search-a", "email": "Shared.Search@Example.com" }""");
        using var b = await _host.PostJsonAsync("/api/contacts", """{ "id": "search-b", "email": "shared.search@example.com", "tags": ["vip"] }""");
        using var other = await _host.PostJsonAsync("/api/contacts", """{ "id": "search-c", "email": "someone.else@example.com" }""");

        var found = await _host.GetJsonAsync("/api/contacts?email=%20SHARED.search%40example.com%20");

        var contacts = found.GetProperty("contacts").EnumerateArray().ToList();
        Assert.Equal(["search-a", "search-b"], contacts.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(["vip"], contacts[1].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        using var moved = await _host.PostJsonAsync("/api/contacts", """{ "id": "search-a", "email": "moved.search@example.com" }""");
        using var erase = await _host.Client.DeleteAsync("/api/contacts/search-b");
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);

        var after = await _host.GetJsonAsync("/api/contacts?email=shared.search@example.com");
        var movedTo = await _host.GetJsonAsync("/api/contacts?email=moved.search@example.com");

        Assert.Empty(after.GetProperty("contacts").EnumerateArray());
        Assert.Equal(["search-a"], movedTo.GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("/api/contacts")]
    [InlineData("/api/contacts?email=")]
    [InlineData("/api/contacts?email=no-at-sign")]
    [InlineData("/api/contacts?email=trailing%40")]
    public async Task SearchContacts_MissingOrBadEmail_Returns400NamingIt(string url)
    {
        using var response = await _host.Client.GetAsync(new Uri(url, UriKind.Relative));

        await Problems.AssertFieldAsync(response, HttpStatusCode.BadRequest, "email");
    }
}

public sealed class ContactTimesApiTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(start: new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task GetContact_WaitingRun_GivesEveryInstantInUtcWithZAndTheLocalTimeApart()
    {
        using var upsert = await _host.PostJsonAsync("/api/contacts", """
            { "id": "times-ana", "email": "times-ana@example.com", "timeZone": "Europe/Madrid", "marketingConsent": true, "consentSource": "test" }
            """);
        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        using var cart = await _host.PostJsonAsync("/api/events", """
            { "id": "times-e1", "contactId": "times-ana", "name": "cart.updated", "data": { "cartId": "c1", "cartUrl": "https://shop.example/cart/c1" } }
            """);
        Assert.Equal(HttpStatusCode.Accepted, cart.StatusCode);

        JsonElement run = default;
        await TestHost.WaitUntilAsync(
            async () =>
            {
                var c = await _host.GetJsonAsync("/api/contacts/times-ana");
                run = c.GetProperty("activeRuns").EnumerateArray().FirstOrDefault(r => r.TryGetProperty("waitingUntil", out _));
                return run.ValueKind == JsonValueKind.Object;
            },
            "times-ana has a run waiting on a timer",
            TimeSpan.FromSeconds(30));
        using var response = await _host.Client.GetAsync("/api/contacts/times-ana");
        var text = await response.Content.ReadAsStringAsync();
        var contact = JsonDocument.Parse(text).RootElement;

        // Every string that reads as an instant is UTC with Z: no +01:00 next to +00:00 in one response.
        var instants = Strings(contact).Where(s => s.Length >= 19 && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _) && s.Contains('T', StringComparison.Ordinal) && s[4] == '-').ToList();
        Assert.NotEmpty(instants);
        Assert.All(instants.Where(s => !IsLocal(s)), s => Assert.EndsWith("Z", s, StringComparison.Ordinal));
        Assert.DoesNotContain("+01:00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("+00:00", text, StringComparison.Ordinal);

        var waitingUntil = DateTimeOffset.Parse(run.GetProperty("waitingUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
        Assert.Equal(
            TimeZoneInfo.ConvertTime(waitingUntil, madrid).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            run.GetProperty("waitingUntilLocal").GetString());
    }

    private static bool IsLocal(string s) => s.Length == 19;

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        _ => [],
    };
}

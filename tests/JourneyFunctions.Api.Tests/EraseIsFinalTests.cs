using System.Net;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests;

/// <summary>Erase is final over the real host with its runner: late events do not bring an erased contact back.</summary>
public sealed class EraseIsFinalTests : IAsyncLifetime
{
    private TestHost? _host;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host!.DisposeAsync();

    [Fact]
    public async Task EraseContact_LateEventAfterErase_DoesNotRecreateItUntilAnExplicitUpsert()
    {
        using var upsert = await _host!.PostJsonAsync("/api/contacts", """{ "id": "contact-tomb", "email": "tomb@example.com" }""");
        using var erase = await _host!.Client.DeleteAsync("/api/contacts/contact-tomb");
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);

        using var late = await _host!.PostJsonAsync("/api/events", """{ "contactId": "contact-tomb", "name": "order.placed", "data": { "total": 5 }, "contact": { "email": "tomb@example.com" } }""");
        using var marker = await _host!.PostJsonAsync("/api/events", """{ "contactId": "contact-tomb-marker", "name": "order.placed", "data": { "total": 5 }, "contact": { "email": "marker@example.com" } }""");
        Assert.Equal(HttpStatusCode.Accepted, late.StatusCode);
        await TestHost.WaitUntilAsync(async () => (await _host!.Client.GetAsync("/api/contacts/contact-tomb-marker")).StatusCode == HttpStatusCode.OK, "the marker event is routed");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        using (var gone = await _host!.Client.GetAsync("/api/contacts/contact-tomb"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var back = await _host!.PostJsonAsync("/api/contacts", """{ "id": "contact-tomb", "email": "tomb@example.com" }""");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        using var next = await _host!.PostJsonAsync("/api/events", """{ "contactId": "contact-tomb", "name": "order.placed", "data": { "total": 7 } }""");
        await TestHost.WaitUntilAsync(
            async () => (await _host!.GetJsonAsync("/api/contacts/contact-tomb")).GetProperty("timeline").EnumerateArray().Any(e => e.ToString().Contains("order.placed", StringComparison.Ordinal)),
            "the event after the upsert is routed");
        var contact = await _host!.GetJsonAsync("/api/contacts/contact-tomb");
        var routed = Assert.Single(contact.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "event");
        Assert.Equal(7, routed.GetProperty("data").GetProperty("total").GetInt32());
    }
}

using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>One host for a class of storefront tests: the storefronts configured, the runner on (events get routed).</summary>
public sealed class StorefrontHostFixture : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await TestHost.StartAsync(new Dictionary<string, string?>(StorefrontWebhooks.Settings)
    {
        ["Storage:Provider"] = "Memory",
        ["Runner:TimerInterval"] = "00:01:00",
        ["Runner:SweepInterval"] = "01:00:00",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Reads a contact through the API while the runner routes its events.</summary>
public static class Contacts
{
    public static async Task<JsonElement?> GetAsync(TestHost host, string contactId)
    {
        using var response = await host.Client.GetAsync($"/api/contacts/{Uri.EscapeDataString(contactId)}");
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : null;
    }

    /// <summary>The names of the contact's routed events in its timeline (newest first).</summary>
    public static async Task<IReadOnlyList<(string Name, JsonElement Data)>> EventsAsync(TestHost host, string contactId)
    {
        if (await GetAsync(host, contactId) is not { } contact)
        {
            return [];
        }

        return contact.GetProperty("timeline").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "event")
            .Select(e => (e.GetProperty("message").GetString()!, e.TryGetProperty("data", out var d) ? d.Clone() : default))
            .ToList();
    }

    public static Task WaitForEventAsync(TestHost host, string contactId, string name, Func<JsonElement, bool>? where = null) => TestHost.WaitUntilAsync(
        async () => (await EventsAsync(host, contactId)).Any(e => e.Name == name && (where is null || where(e.Data))),
        $"{contactId} has a routed {name}",
        TimeSpan.FromSeconds(30));

    public static Task WaitForActiveRunAsync(TestHost host, string contactId, string journeyId) => TestHost.WaitUntilAsync(
        async () => await GetAsync(host, contactId) is { } c && c.GetProperty("activeRuns").EnumerateArray().Any(r => r.GetProperty("journeyId").GetString() == journeyId),
        $"{contactId} is in {journeyId}",
        TimeSpan.FromSeconds(30));
}

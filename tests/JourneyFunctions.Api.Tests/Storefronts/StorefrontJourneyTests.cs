using System.Net;
using System.Text.Json;
using JourneyFunctions.Host.Tests.Support;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>
/// The sample journeys in <c>journeys/</c>, unchanged, run from signed Shopify webhooks over real HTTP against the
/// real host; and the privacy webhooks erase and export. Each storage backend runs the same tests, each test on a
/// host of its own (journey counters are per host).
/// </summary>
public abstract class StorefrontJourneyTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private StorefrontWebhooks _webhooks = null!;

    protected abstract Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(await StorageSettingsAsync(), StringComparer.OrdinalIgnoreCase)
        {
            ["Runner:TimerInterval"] = "00:01:00",
            ["Runner:SweepInterval"] = "01:00:00",
        };
        foreach (var (key, value) in StorefrontWebhooks.Settings)
        {
            settings[key] = value;
        }

        _host = await TestHost.StartAsync(settings);
        _webhooks = new StorefrontWebhooks(_host);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string OutboxDirectory => Path.Combine(_host.WorkDirectory, "outbox");

    [Fact]
    public async Task Shopify_CustomerCheckoutOrder_WelcomesRemindsThenConvertsTheCartAndStartsTheReview()
    {
        const string email = "ana.lopez@example.com";

        // customers/create with consent: contact.subscribed starts the welcome series, whose first email goes now.
        using var customer = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer(email));
        await StorefrontWebhooks.OkAsync(customer);
        var welcome = await WaitForEmailsAsync(email, 1);
        Assert.Contains("Welcome", welcome[0].Subject, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ana", welcome[0].Subject, StringComparison.Ordinal);

        // checkouts/update: the abandoned-cart run of that checkout; an hour later, the reminder with the recovery link.
        using var checkout = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, "c2f8d3a6e4b1"));
        await StorefrontWebhooks.OkAsync(checkout);
        await Contacts.WaitForActiveRunAsync(_host, email, "abandoned-cart");
        await AdvanceUntilEmailsAsync(email, 2, TimeSpan.FromHours(2));
        var reminder = Outbox.To(OutboxDirectory, email).Single(e => e.Subject.Contains("cart", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("checkouts/c2f8d3a6e4b1/recover", reminder.Raw, StringComparison.Ordinal);
        Assert.Contains("Merino beanie", reminder.Raw, StringComparison.Ordinal);

        // orders/create naming that checkout: the cart run ends at its goal, the post-purchase review starts.
        using var order = await _webhooks.ShopifyAsync("orders/create", ShopifyPayloads.Order(email, "c2f8d3a6e4b1"));
        await StorefrontWebhooks.OkAsync(order);
        await Contacts.WaitForActiveRunAsync(_host, email, "post-purchase-review");
        await TestHost.WaitUntilAsync(
            async () => (await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats")).GetProperty("goals").GetInt64() == 1,
            "the cart run's goal is counted",
            TimeSpan.FromSeconds(30));
        var contact = (await Contacts.GetAsync(_host, email))!.Value;
        var active = contact.GetProperty("activeRuns").EnumerateArray().Select(r => r.GetProperty("journeyId").GetString()).ToList();
        Assert.DoesNotContain("abandoned-cart", active);
        Assert.Contains("post-purchase-review", active);
        var review = contact.GetProperty("activeRuns").EnumerateArray().Single(r => r.GetProperty("journeyId").GetString() == "post-purchase-review");
        Assert.Equal("820982911946154508", review.GetProperty("key").GetString());
        var stats = await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats");
        Assert.Equal(1, stats.GetProperty("entered").GetInt64());
        Assert.Equal(1.0, stats.GetProperty("conversionRate").GetDouble());
    }

    [Fact]
    public async Task Shopify_TwoCheckoutsThenAnOrderForTheFirst_EndsOnlyThatCheckoutsRunWithOneGoal()
    {
        const string email = "bea.ruiz@example.com";
        const string first = "a1b2c3d4e5f6";
        const string second = "f6e5d4c3b2a1";
        using var customer = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer(email, id: 706405506930370085));
        await StorefrontWebhooks.OkAsync(customer);
        await WaitForEmailsAsync(email, 1);

        // Two open checkouts: two abandoned-cart runs, one per checkout token.
        using var checkoutA = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, first));
        await StorefrontWebhooks.OkAsync(checkoutA);
        using var checkoutB = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, second, total: "35.00"));
        await StorefrontWebhooks.OkAsync(checkoutB);
        await TestHost.WaitUntilAsync(async () => (await CartRunKeysAsync(email)).Count == 2, "two abandoned-cart runs", TimeSpan.FromSeconds(30));

        // The order of the first checkout, within the grace hour: that run converts; the second goes on.
        using var order = await _webhooks.ShopifyAsync("orders/create", ShopifyPayloads.Order(email, first, id: 820982911946154509, name: "#1002"));
        await StorefrontWebhooks.OkAsync(order);
        await Contacts.WaitForActiveRunAsync(_host, email, "post-purchase-review");
        await TestHost.WaitUntilAsync(async () => (await CartRunKeysAsync(email)).Count == 1, "the first checkout's run ended", TimeSpan.FromSeconds(30));
        Assert.Equal([second], await CartRunKeysAsync(email));

        // The second checkout's reminder still goes out, with its own recovery link; the first gets none.
        await AdvanceUntilEmailsAsync(email, 2, TimeSpan.FromHours(2));
        var reminder = Assert.Single(Outbox.To(OutboxDirectory, email), e => e.Subject.Contains("cart", StringComparison.OrdinalIgnoreCase));
        Assert.Contains($"checkouts/{second}/recover", reminder.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain($"checkouts/{first}/recover", reminder.Raw, StringComparison.Ordinal);
        Assert.Equal([second], await CartRunKeysAsync(email));
        var stats = await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats");
        Assert.Equal(2, stats.GetProperty("entered").GetInt64());
        Assert.Equal(1, stats.GetProperty("goals").GetInt64());
        Assert.Equal(1, stats.GetProperty("active").GetInt64());
    }

    [Fact]
    public async Task Shopify_CustomersRedact_ErasesTheContactAndEndsItsRuns()
    {
        const string email = "redact.me@example.com";
        using var checkout = await _webhooks.ShopifyAsync("checkouts/create", ShopifyPayloads.Checkout(email, "tok-redact"));
        await StorefrontWebhooks.OkAsync(checkout);
        await Contacts.WaitForActiveRunAsync(_host, email, "abandoned-cart");

        using var redact = await _webhooks.ShopifyAsync("customers/redact", ShopifyPayloads.CustomerRedact("Redact.Me@example.com"));

        var result = await StorefrontWebhooks.OkAsync(redact);
        Assert.Equal("erased", result.GetProperty("outcome").GetString());
        Assert.Equal(1, result.GetProperty("erased").GetInt32());
        using var contact = await _host.Client.GetAsync($"/api/contacts/{email}");
        Assert.Equal(HttpStatusCode.NotFound, contact.StatusCode);
        using var export = await _host.Client.GetAsync($"/api/contacts/{email}/export");
        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        await TestHost.WaitUntilAsync(
            async () => (await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats")).GetProperty("active").GetInt64() == 0,
            "the erased contact's cart run has ended",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Shopify_CustomersDataRequest_ExportsEverythingStoredAboutTheContact()
    {
        const string email = "export.me@example.com";
        using var customer = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer(email, id: 4100));
        using var checkout = await _webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, "tok-export"));
        await StorefrontWebhooks.OkAsync(customer);
        await StorefrontWebhooks.OkAsync(checkout);
        await Contacts.WaitForActiveRunAsync(_host, email, "abandoned-cart");
        await WaitForEmailsAsync(email, 1);

        using var request = await _webhooks.ShopifyAsync("customers/data_request", ShopifyPayloads.DataRequest(email));

        var result = await StorefrontWebhooks.OkAsync(request);
        Assert.Equal("exported", result.GetProperty("outcome").GetString());
        var export = result.GetProperty("export");
        AssertIsTheExportOf(export, email);

        // The same export on its own route, behind the API key.
        var direct = await _host.GetJsonAsync($"/api/contacts/{email}/export");
        AssertIsTheExportOf(direct, email);
        Assert.Equal(export.GetProperty("runs").GetArrayLength(), direct.GetProperty("runs").GetArrayLength());
        using var anonymous = await _host.Anonymous.GetAsync($"/api/contacts/{email}/export");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Shopify_ShopRedact_ErasesTheShopsContactsFoundByItsTag()
    {
        using var a = await _webhooks.ShopifyAsync("customers/create", ShopifyPayloads.Customer("Shop.A@example.com", id: 4201), shop: StorefrontWebhooks.OtherShop);
        using var b = await _webhooks.ShopifyAsync("checkouts/create", ShopifyPayloads.Checkout("shop.b@example.com", "tok-shop-b"), shop: StorefrontWebhooks.OtherShop);
        using var keep = await _webhooks.ShopifyAsync("checkouts/create", ShopifyPayloads.Checkout("keep.me@example.com", "tok-keep"));
        await Contacts.WaitForEventAsync(_host, "shop.a@example.com", "contact.subscribed");
        await Contacts.WaitForActiveRunAsync(_host, "shop.b@example.com", "abandoned-cart");
        await Contacts.WaitForActiveRunAsync(_host, "keep.me@example.com", "abandoned-cart");

        using var redact = await _webhooks.ShopifyAsync("shop/redact", ShopifyPayloads.ShopRedact(StorefrontWebhooks.OtherShop), shop: StorefrontWebhooks.OtherShop);

        Assert.Equal(2, (await StorefrontWebhooks.OkAsync(redact)).GetProperty("erased").GetInt32());
        Assert.Null(await Contacts.GetAsync(_host, "shop.a@example.com"));
        Assert.Null(await Contacts.GetAsync(_host, "shop.b@example.com"));
        Assert.NotNull(await Contacts.GetAsync(_host, "keep.me@example.com"));
    }

    private static void AssertIsTheExportOf(JsonElement export, string email)
    {
        Assert.Equal(email, export.GetProperty("contactId").GetString());
        var contact = export.GetProperty("contact");
        Assert.Equal(email, contact.GetProperty("email").GetString());
        Assert.Equal("Lopez", contact.GetProperty("fields").GetProperty("lastName").GetString());
        Assert.True(contact.GetProperty("consent").GetProperty("marketing").GetBoolean());
        var runs = export.GetProperty("runs").EnumerateArray().ToList();
        Assert.Contains(runs, r => r.GetProperty("journeyId").GetString() == "welcome-series");
        var cart = Assert.Single(runs, r => r.GetProperty("journeyId").GetString() == "abandoned-cart");
        Assert.Equal("tok-export", cart.GetProperty("trigger").GetProperty("cartId").GetString());
        var timeline = export.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Contains(timeline, e => e.GetProperty("message").GetString() == "cart.updated");
        Assert.Contains(timeline, e => e.GetProperty("kind").GetString() == "email");
    }

    /// <summary>The keys (checkout tokens) of the contact's active abandoned-cart runs, in order.</summary>
    private async Task<List<string>> CartRunKeysAsync(string contactId) =>
        await Contacts.GetAsync(_host, contactId) is { } contact
            ? contact.GetProperty("activeRuns").EnumerateArray()
                .Where(r => r.GetProperty("journeyId").GetString() == "abandoned-cart")
                .Select(r => r.GetProperty("key").GetString()!)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    private async Task<IReadOnlyList<OutboxEmail>> WaitForEmailsAsync(string address, int count)
    {
        await TestHost.WaitUntilAsync(() => Task.FromResult(Outbox.To(OutboxDirectory, address).Count >= count), $"{count} emails to {address}", TimeSpan.FromSeconds(30));
        var emails = Outbox.To(OutboxDirectory, address);
        Assert.Equal(count, emails.Count);
        return emails;
    }

    /// <summary>Moves the fake clock an hour at a time until the emails are there, at most <paramref name="within"/>.</summary>
    private async Task AdvanceUntilEmailsAsync(string address, int count, TimeSpan within)
    {
        for (var moved = TimeSpan.Zero; Outbox.To(OutboxDirectory, address).Count < count; moved += TimeSpan.FromMinutes(10))
        {
            if (moved >= within)
            {
                await WaitForEmailsAsync(address, count);
                return;
            }

            _host.Time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(20);
        }

        Assert.Equal(count, Outbox.To(OutboxDirectory, address).Count);
    }
}

/// <summary>The storefront journeys on the embedded in-memory storage.</summary>
public sealed class MemoryStorefrontJourneyTests : StorefrontJourneyTests
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" });
}

/// <summary>The storefront journeys on Azure Table and Queue Storage (the real Azurite), each host with its own tables and queue.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteStorefrontJourneyTests(AzuriteFixture azurite) : StorefrontJourneyTests
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "sf" + suffix,
            ["Storage:QueueName"] = "sf-" + suffix,
        });
    }
}

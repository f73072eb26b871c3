using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Host.Tests;

/// <summary>
/// The four sample journeys end to end over HTTP against the real host: events in, the runner routes them, the fake
/// clock moves and the timer loop fires, emails land in the outbox; tags, stats, unsubscribe and erase are checked
/// through the API. Each backend runs the same tests.
/// </summary>
public abstract partial class SampleJourneysTests : IAsyncLifetime
{
    private TestHost _host = null!;

    protected TestHost Host => _host;

    /// <summary>Storage settings of the backend under test.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(await StorageSettingsAsync(), StringComparer.OrdinalIgnoreCase)
        {
            // A minute per timer tick keeps the fake clock's jumps of days cheap; due timers fire at the next tick.
            ["Runner:TimerInterval"] = "00:01:00",
            ["Runner:SweepInterval"] = "01:00:00",
        };
        _host = await TestHost.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string OutboxDirectory => Path.Combine(_host.WorkDirectory, "outbox");

    [Fact]
    public async Task WelcomeSeries_SubscribeAndWaitSevenDays_SendsThreeEmailsAndTagsOnboarded()
    {
        await PostEventAsync("ana", "contact.subscribed", "{}", "ana@example.com");
        await WaitForEmailsAsync("ana@example.com", 1);

        await AdvanceUntilEmailsAsync("ana@example.com", 2, TimeSpan.FromDays(2));
        await WaitForTagAsync("ana", "onboarded");

        await AdvanceUntilEmailsAsync("ana@example.com", 3, TimeSpan.FromDays(5));
        await WaitUntilNoActiveRunsAsync("ana");

        // Counters are written just after the run is stored: wait for them rather than race them.
        await WaitUntilAsync(
            async () =>
            {
                var s = await _host.GetJsonAsync("/api/journeys/welcome-series/stats");
                return s.GetProperty("finished").GetInt64() + s.GetProperty("exited").GetInt64() == 1 && s.GetProperty("emailsSent").GetInt64() == 3;
            },
            "the welcome series' counters are written");
        var stats = await _host.GetJsonAsync("/api/journeys/welcome-series/stats");
        Assert.Equal(1, stats.GetProperty("entered").GetInt64());
        Assert.Equal(3, stats.GetProperty("emailsSent").GetInt64());
        Assert.Equal(1, stats.GetProperty("finished").GetInt64() + stats.GetProperty("exited").GetInt64());
        Assert.Equal(0, stats.GetProperty("active").GetInt64());
        var welcome = Step(stats, "welcome");
        Assert.Equal(1, welcome.GetProperty("emailsSent").GetInt64());
    }

    [Fact]
    public async Task WelcomeSeries_OrderPlacedWhileWaiting_ReachesGoalAndSendsNoMore()
    {
        await PostEventAsync("bo", "contact.subscribed", "{}", "bo@example.com");
        await WaitForEmailsAsync("bo@example.com", 1);

        await PostEventAsync("bo", "order.placed", """{ "orderId": "o-1", "total": 20 }""");
        await WaitUntilAsync(async () => (await _host.GetJsonAsync("/api/journeys/welcome-series/stats")).GetProperty("goals").GetInt64() == 1, "the goal is counted");
        await AdvanceAsync(TimeSpan.FromDays(8));

        var stats = await _host.GetJsonAsync("/api/journeys/welcome-series/stats");
        Assert.Equal(1.0, stats.GetProperty("conversionRate").GetDouble());
        Assert.Equal(1, stats.GetProperty("emailsSent").GetInt64());
        Assert.Equal(0, stats.GetProperty("active").GetInt64());
    }

    [Fact]
    public async Task AbandonedCart_NoOrder_SendsTwoRemindersAndTagsCartAbandoner()
    {
        const string cart = """{ "cartId": "c-1", "total": 59.9, "currency": "EUR", "items": [ { "sku": "TEE-1", "name": "Linen tee", "quantity": 2, "price": 29.95 } ] }""";
        await PostEventAsync("cy", "cart.updated", cart, "cy@example.com");
        await WaitForActiveRunAsync("cy", "abandoned-cart");

        await AdvanceUntilEmailsAsync("cy@example.com", 1, TimeSpan.FromHours(1));

        await AdvanceUntilEmailsAsync("cy@example.com", 2, TimeSpan.FromDays(1));
        await WaitForTagAsync("cy", "cart-abandoner");
        await WaitUntilNoActiveRunsAsync("cy");
        await WaitUntilAsync(async () => Step(await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats"), "reminder-2").GetProperty("emailsSent").GetInt64() == 1, "the counters are written");
        var stats = await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats");
        Assert.Equal(1, Step(stats, "reminder-1").GetProperty("emailsSent").GetInt64());
        Assert.Equal(1, Step(stats, "reminder-2").GetProperty("emailsSent").GetInt64());
    }

    [Fact]
    public async Task AbandonedCart_OrderPlacedDuringGrace_ExitsWithoutEmail()
    {
        await PostEventAsync("di", "cart.updated", """{ "cartId": "c-2", "total": 10 }""", "di@example.com");
        await WaitForActiveRunAsync("di", "abandoned-cart");

        await PostEventAsync("di", "order.placed", """{ "orderId": "o-2", "cartId": "c-2" }""");
        await WaitUntilAsync(async () => (await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats")).GetProperty("exited").GetInt64() == 1, "the cart run exits");
        await AdvanceAsync(TimeSpan.FromDays(2));

        Assert.DoesNotContain(Outbox.To(OutboxDirectory, "di@example.com"), e => e.Subject.Contains("cart", StringComparison.OrdinalIgnoreCase));
        var stats = await _host.GetJsonAsync("/api/journeys/abandoned-cart/stats");
        Assert.Equal(0, Step(stats, "reminder-1").GetProperty("emailsSent").GetInt64());
    }

    [Fact]
    public async Task ReEngagement_SixtyDaysQuiet_SendsWinbackAndLastChanceThenTagsDormant()
    {
        await UpsertContactAsync("ed", "ed@example.com");
        await PostEventAsync("ed", "page.viewed", """{ "url": "/" }""");
        await WaitUntilAsync(async () => (await _host.GetJsonAsync("/api/contacts/ed")).TryGetProperty("lastActivityAt", out _), "the activity is recorded");

        await AdvanceUntilEmailsAsync("ed@example.com", 1, TimeSpan.FromDays(61));

        await AdvanceUntilEmailsAsync("ed@example.com", 2, TimeSpan.FromDays(14));

        await AdvanceUntilTagAsync("ed", "dormant", TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task PostPurchaseReview_DeliveredThenReviewed_SendsRequestAndTagsReviewer()
    {
        var delivered = _host.Time.GetUtcNow().AddDays(1).ToString("O");
        await PostEventAsync("fa", "order.placed", $$"""{ "orderId": "o-9", "deliveredAt": "{{delivered}}", "items": [ { "sku": "MUG-1", "name": "Mug", "quantity": 1, "price": 12 } ] }""", "fa@example.com");
        await WaitForActiveRunAsync("fa", "post-purchase-review");

        await AdvanceUntilEmailsAsync("fa@example.com", 1, TimeSpan.FromDays(4));
        Assert.Contains("review", Outbox.To(OutboxDirectory, "fa@example.com")[0].Raw, StringComparison.OrdinalIgnoreCase);

        await PostEventAsync("fa", "review.submitted", """{ "orderId": "o-9", "rating": 5 }""");
        await WaitForTagAsync("fa", "reviewer");
        await WaitUntilAsync(async () => (await _host.GetJsonAsync("/api/journeys/post-purchase-review/stats")).GetProperty("goals").GetInt64() == 1, "the review goal is counted");
    }

    [Fact]
    public async Task Unsubscribe_PageThenOneClickPost_EndsMarketingRunsAndSuppresses()
    {
        await PostEventAsync("gu", "contact.subscribed", "{}", "gu@example.com");
        var welcome = (await WaitForEmailsAsync("gu@example.com", 1))[0];
        var link = UnsubscribeLink().Match(welcome.Raw);
        Assert.True(link.Success, "the email has a List-Unsubscribe header");
        var url = new Uri(link.Groups[1].Value);
        var path = url.PathAndQuery;
        await WaitForActiveRunAsync("gu", "welcome-series");

        using var page = await _host.Anonymous.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\"", html, StringComparison.Ordinal);
        var afterGet = await _host.GetJsonAsync("/api/contacts/gu");
        Assert.True(afterGet.GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.Single(afterGet.GetProperty("activeRuns").EnumerateArray());

        using var oneClick = new FormUrlEncodedContent([new KeyValuePair<string, string>("List-Unsubscribe", "One-Click")]);
        using var post = await _host.Anonymous.PostAsync(path, oneClick);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        var contact = await _host.GetJsonAsync("/api/contacts/gu");
        Assert.False(contact.GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.True(contact.GetProperty("suppressed").GetBoolean());
        Assert.Empty(contact.GetProperty("activeRuns").EnumerateArray());
        await AdvanceAsync(TimeSpan.FromDays(8));
        Assert.Single(Outbox.To(OutboxDirectory, "gu@example.com"));
    }

    [Fact]
    public async Task Unsubscribe_ForgedOrTamperedToken_Returns403AndChangesNothing()
    {
        await PostEventAsync("ha", "contact.subscribed", "{}", "ha@example.com");
        var welcome = (await WaitForEmailsAsync("ha@example.com", 1))[0];
        var token = Uri.UnescapeDataString(UnsubscribeLink().Match(welcome.Raw).Groups[1].Value.Split("token=")[1]);
        var tampered = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");

        using var forged = await _host.Anonymous.PostAsync("/api/unsubscribe?token=forged.token", new StringContent("List-Unsubscribe=One-Click"));
        using var altered = await _host.Anonymous.PostAsync($"/api/unsubscribe?token={Uri.EscapeDataString(tampered)}", new StringContent("List-Unsubscribe=One-Click"));
        using var missing = await _host.Anonymous.PostAsync("/api/unsubscribe", new StringContent("List-Unsubscribe=One-Click"));

        await Problems.AssertFieldAsync(forged, HttpStatusCode.Forbidden, "token");
        await Problems.AssertFieldAsync(altered, HttpStatusCode.Forbidden, "token");
        await Problems.AssertFieldAsync(missing, HttpStatusCode.BadRequest, "token");
        Assert.True((await _host.GetJsonAsync("/api/contacts/ha")).GetProperty("consent").GetProperty("marketing").GetBoolean());
    }

    [Fact]
    public async Task Erase_ContactWithActiveRun_EndsRunDeletesDataKeepsSuppression()
    {
        await PostEventAsync("iv", "contact.subscribed", "{}", "iv@example.com");
        var welcome = (await WaitForEmailsAsync("iv@example.com", 1))[0];
        var path = new Uri(UnsubscribeLink().Match(welcome.Raw).Groups[1].Value).PathAndQuery;
        using var unsubscribe = await _host.Anonymous.PostAsync(path, new FormUrlEncodedContent([new KeyValuePair<string, string>("List-Unsubscribe", "One-Click")]));

        using var erase = await _host.Client.DeleteAsync("/api/contacts/iv");
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        using var gone = await _host.Client.GetAsync("/api/contacts/iv");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        // The same address comes back as a new contact: still suppressed, so no welcome email.
        await PostEventAsync("iv-2", "contact.subscribed", "{}", "iv@example.com");
        await WaitUntilAsync(async () => (await _host.Client.GetAsync("/api/contacts/iv-2")).IsSuccessStatusCode, "the new contact exists");
        var again = await _host.GetJsonAsync("/api/contacts/iv-2");
        Assert.True(again.GetProperty("suppressed").GetBoolean());
        await AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Single(Outbox.To(OutboxDirectory, "iv@example.com"));
    }

    [Fact]
    public async Task EventGrid_DeliveredThenBouncedReports_CountDeliveryAndSuppressTheAddress()
    {
        await PostEventAsync("jo", "contact.subscribed", "{}", "jo@example.com");
        var welcome = (await WaitForEmailsAsync("jo@example.com", 1))[0];
        var messageId = Path.GetFileName(welcome.File);
        await WaitForActiveRunAsync("jo", "welcome-series");

        using var delivered = await PostReportAsync(Report("r-jo-1", messageId, "Delivered"));
        using var bounced = await PostReportAsync(Report("r-jo-2", messageId, "Bounced"));

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bounced.StatusCode);
        var stats = await _host.GetJsonAsync("/api/journeys/welcome-series/stats");
        Assert.Equal(1, Step(stats, "welcome").GetProperty("delivered").GetInt64());
        Assert.True((await _host.GetJsonAsync("/api/contacts/jo")).GetProperty("suppressed").GetBoolean());
    }

    [Fact]
    public async Task EventGrid_BounceForARealMessageNamingAnotherRecipient_SuppressesNoOne()
    {
        await PostEventAsync("kim", "contact.subscribed", "{}", "kim@example.com");
        var welcome = (await WaitForEmailsAsync("kim@example.com", 1))[0];
        await WaitForActiveRunAsync("kim", "welcome-series");
        await UpsertContactAsync("victim", "victim@example.com");

        using var forged = await PostReportAsync(Report("r-kim-1", Path.GetFileName(welcome.File), "Bounced", recipient: "victim@example.com"));

        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        var processed = await forged.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(processed).RootElement.GetProperty("mismatched").GetInt32() == 1, processed);
        Assert.False((await _host.GetJsonAsync("/api/contacts/victim")).GetProperty("suppressed").GetBoolean());
        Assert.False((await _host.GetJsonAsync("/api/contacts/kim")).GetProperty("suppressed").GetBoolean());
        var stats = await _host.GetJsonAsync("/api/journeys/welcome-series/stats");
        Assert.Equal(0, Step(stats, "welcome").GetProperty("bounced").GetInt64());
    }

    private async Task<HttpResponseMessage> PostReportAsync(StringContent report)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/eventgrid") { Content = report };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestHost.EventGridKey);
        return await _host.Anonymous.SendAsync(request);
    }

    private static StringContent Report(string id, string messageId, string status, string recipient = "jo@example.com") => new($$"""
        [ { "id": "{{id}}", "topic": "/subscriptions/x", "subject": "sender/journeys@localhost/message/{{messageId}}",
            "eventType": "Microsoft.Communication.EmailDeliveryReportReceived", "eventTime": "2026-11-23T10:05:00Z",
            "dataVersion": "1.0",
            "data": { "sender": "journeys@localhost", "recipient": "{{recipient}}", "messageId": "{{messageId}}",
                      "status": "{{status}}", "deliveryStatusDetails": { "statusMessage": "{{status}}" },
                      "deliveryAttemptTimeStamp": "2026-11-23T10:04:59Z" } } ]
        """, Encoding.UTF8, "application/json");

    private async Task PostEventAsync(string contactId, string name, string data, string? email = null)
    {
        var contact = email is null ? string.Empty : $$""", "contact": { "email": "{{email}}", "timeZone": "Europe/Madrid", "fields": { "firstName": "{{contactId}}" }, "marketingConsent": true }""";
        using var response = await _host.PostJsonAsync("/api/events", $$"""{ "contactId": "{{contactId}}", "name": "{{name}}", "data": {{data}}{{contact}} }""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task UpsertContactAsync(string id, string email)
    {
        using var response = await _host.PostJsonAsync("/api/contacts", $$"""{ "id": "{{id}}", "email": "{{email}}", "timeZone": "Europe/Madrid", "marketingConsent": true }""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        // Move in hour steps so the loops see the clock pass each due time, as they would in real time.
        var step = TimeSpan.FromHours(1);
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            _host.Time.Advance(by - moved < step ? by - moved : step);
            await Task.Delay(5);
        }

        await Task.Delay(100);
    }

    /// <summary>
    /// Moves the clock an hour at a time until the emails are there, at most <paramref name="within"/> plus a day: the
    /// runner works in real time, so what the clock reaches while it works is not asserted here (the machine's tests
    /// pin exact times); what is asserted is that the emails come, and no more.
    /// </summary>
    private async Task AdvanceUntilEmailsAsync(string address, int count, TimeSpan within)
    {
        var limit = within + TimeSpan.FromDays(1);
        for (var moved = TimeSpan.Zero; Outbox.To(OutboxDirectory, address).Count < count; moved += TimeSpan.FromHours(1))
        {
            if (moved >= limit)
            {
                await WaitForEmailsAsync(address, count);
            }

            _host.Time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(5);
        }

        Assert.Equal(count, Outbox.To(OutboxDirectory, address).Count);
    }

    private async Task AdvanceUntilTagAsync(string contactId, string tag, TimeSpan within)
    {
        var limit = within + TimeSpan.FromDays(1);
        for (var moved = TimeSpan.Zero; !await HasTagAsync(contactId, tag); moved += TimeSpan.FromHours(1))
        {
            if (moved >= limit)
            {
                await WaitForTagAsync(contactId, tag);
                return;
            }

            _host.Time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(5);
        }
    }

    private async Task<bool> HasTagAsync(string contactId, string tag)
    {
        using var response = await _host.Client.GetAsync($"/api/contacts/{contactId}");
        return response.IsSuccessStatusCode
            && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == tag);
    }

    private async Task<IReadOnlyList<OutboxEmail>> WaitForEmailsAsync(string address, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Outbox.To(OutboxDirectory, address).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                var contactId = address.Split('@')[0];
                using var contact = await _host.Client.GetAsync($"/api/contacts/{contactId}");
                Assert.Fail($"Timed out waiting for {count} emails to {address} (have {Outbox.To(OutboxDirectory, address).Count}) at {_host.Time.GetUtcNow():O}; contact: {await contact.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(20);
        }

        var emails = Outbox.To(OutboxDirectory, address);
        Assert.Equal(count, emails.Count);
        return emails.OrderBy(e => File.GetLastWriteTimeUtc(e.File)).ToList();
    }

    private Task WaitForTagAsync(string contactId, string tag) => WaitUntilAsync(() => HasTagAsync(contactId, tag), $"{contactId} has tag {tag}");

    private Task WaitForActiveRunAsync(string contactId, string journeyId) => WaitUntilAsync(
        async () =>
        {
            using var response = await _host.Client.GetAsync($"/api/contacts/{contactId}");
            return response.IsSuccessStatusCode
                && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("activeRuns").EnumerateArray().Any(r => r.GetProperty("journeyId").GetString() == journeyId);
        },
        $"{contactId} is in {journeyId}");

    private Task WaitUntilNoActiveRunsAsync(string contactId) => WaitUntilAsync(
        async () => !(await _host.GetJsonAsync($"/api/contacts/{contactId}")).GetProperty("activeRuns").EnumerateArray().Any(),
        $"{contactId} has no active run");

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => TestHost.WaitUntilAsync(condition, what, TimeSpan.FromSeconds(30));

    private static JsonElement Step(JsonElement stats, string stepId) =>
        stats.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId);

    [GeneratedRegex(@"List-Unsubscribe:\s*<([^>]+)>", RegexOptions.IgnoreCase)]
    private static partial Regex UnsubscribeLink();
}

/// <summary>The sample journeys on the embedded in-memory storage.</summary>
public sealed class MemorySampleJourneysTests : SampleJourneysTests
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Storage:Provider"] = "Memory" });
}

/// <summary>The sample journeys on Azure Table and Queue Storage (the real Azurite), each host with its own tables and queue.</summary>
[Collection(Infrastructure.Tests.Fixtures.AzuriteCollection.Name)]
public sealed class AzuriteSampleJourneysTests(Infrastructure.Tests.Fixtures.AzuriteFixture azurite) : SampleJourneysTests
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageSettingsAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "e2e" + suffix,
            ["Storage:QueueName"] = "e2e-" + suffix,
        });
    }
}

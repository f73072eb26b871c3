using System.Net;
using System.Text.RegularExpressions;
using JourneyFunctions.Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace JourneyFunctions.Dashboard.Tests;

/// <summary>
/// The dashboard in headless chromium against the real host: sign-in, the journeys list, a journey drawn with counts
/// that move as events arrive, a contact's timeline, a draft with an error at its path then simulated with its
/// emails at phone width, pause and resume. Every page is screenshotted and checked with axe-core.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed partial class DashboardBrowserTests(DashboardFixture fixture)
{
    [Fact]
    public async Task SignIn_WrongKeyThenKey_ListsTheFourSampleJourneysAndKeepsNoKeyInThePage()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await DashboardFixture.CheckPageAsync(page, "01-sign-in");

        await page.GetByLabel("API key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not the API key");
        Assert.Empty(await page.Context.CookiesAsync());

        await page.GetByLabel("API key").FillAsync(DashboardFixture.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var rows = page.Locator("#journeys tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        foreach (var id in new[] { "abandoned-cart", "post-purchase-review", "re-engagement", "welcome-series" })
        {
            await Assertions.Expect(page.Locator($"#journeys tr[data-journey='{id}']")).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.Locator("#journeys thead")).ToContainTextAsync("Unsubscribes");

        // The funnel groups the journeys by lifecycle stage, in lifecycle order.
        var stages = await page.Locator("#funnel tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.stage)");
        Assert.Equal(["decision", "onboarding", "retention", "advocacy"], stages);

        var cookie = Assert.Single(await page.Context.CookiesAsync());
        Assert.Equal(DashboardSessions.CookieName, cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        var stored = await page.EvaluateAsync<string>("() => JSON.stringify([Object.values(localStorage), Object.values(sessionStorage), document.cookie])");
        Assert.DoesNotContain(DashboardFixture.ApiKey, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardFixture.ApiKey, await page.ContentAsync(), StringComparison.Ordinal);
        await DashboardFixture.CheckPageAsync(page, "02-journeys");

        // A reload keeps the session (the page asks for its CSRF token again); signing out ends it.
        await page.ReloadAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        var after = await page.APIRequest.GetAsync("/api/journeys");
        Assert.Equal(401, after.Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JourneyPage_EventsPostedThroughTheApi_AbandonedCartStepCountsChangeWithoutReload()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Abandoned cart reminders" }).ClickAsync();
        var grace = page.Locator("svg .node[data-step='grace']");
        await Assertions.Expect(grace).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg .node")).ToHaveCountAsync(9); // the trigger and the 8 steps (every path ends at the exit step)
        var before = WaitingCount(await grace.TextContentAsync());

        for (var i = 0; i < 3; i++)
        {
            using var response = await fixture.PostEventAsync(
                $$$"""{"contactId":"cart-shopper-{{{i}}}","name":"cart.updated","data":{"cartId":"cart-{{{i}}}","total":40,"currency":"EUR","items":[{"name":"Socks","quantity":1,"price":40}]},"contact":{"email":"shopper{{{i}}}@example.com","marketingConsent":true}}""");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // The page polls the stats route: the grace step's "waiting" goes up by three without a reload.
        await Assertions.Expect(grace).ToContainTextAsync($"waiting {before + 3}", new() { Timeout = 15_000 });
        await DashboardFixture.CheckPageAsync(page, "03-journey-abandoned-cart");

        await grace.ClickAsync();
        await Assertions.Expect(page.Locator("#waiting tbody tr")).ToHaveCountAsync(before + 3);
        await Assertions.Expect(page.Locator("#waiting")).ToContainTextAsync("cart-shopper-1");
        await DashboardFixture.CheckPageAsync(page, "04-journey-waiting-contacts");

        // Every step's figures, from counters: an order during the grace period is a goal there and ends the run there.
        var graceRow = page.Locator("#step-figures tr[data-step='grace']");
        await Assertions.Expect(graceRow.Locator("td").Nth(2)).ToHaveTextAsync((before + 3).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
        var goalsBefore = int.Parse(await graceRow.Locator("td").Nth(6).TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var exitsBefore = int.Parse(await graceRow.Locator("td[data-exit='exit.goal']").TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        using (var order = await fixture.PostEventAsync("""{"contactId":"cart-shopper-0","name":"order.placed","data":{"orderId":"o-0","total":40}}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, order.StatusCode);
        }

        await Assertions.Expect(graceRow.Locator("td").Nth(6)).ToHaveTextAsync((goalsBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
        await Assertions.Expect(graceRow.Locator("td[data-exit='exit.goal']")).ToHaveTextAsync((exitsBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(graceRow.Locator("td").Nth(2)).ToHaveTextAsync((before + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await DashboardFixture.CheckPageAsync(page, "04b-journey-step-figures");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ContactPage_AfterAnEvent_ShowsProfileConsentTagsRunsAndTimeline()
    {
        using var response = await fixture.PostEventAsync(
            """{"contactId":"ana-dash","name":"cart.updated","data":{"cartId":"c-ana","total":12.5},"contact":{"email":"ana.dash@example.com","marketingConsent":true,"tags":["vip"],"fields":{"firstName":"Ana"}}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await WaitUntilAsync(async () =>
        {
            using var contact = await fixture.Api.GetAsync("/api/contacts/ana-dash");
            return contact.IsSuccessStatusCode && (await contact.Content.ReadAsStringAsync()).Contains("\"activeRuns\":[{", StringComparison.Ordinal);
        }, "ana-dash has a run");

        var page = await fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Contacts" }).ClickAsync();
        await page.GetByLabel("Contact id").FillAsync("ana-dash");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Contact ana-dash" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("ana.dash@example.com");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Marketing email: yes");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("vip");
        await Assertions.Expect(page.Locator("#runs")).ToContainTextAsync("abandoned-cart");
        await Assertions.Expect(page.Locator("#timeline tbody tr").First).ToBeVisibleAsync();
        Assert.True(await page.Locator("#timeline tbody tr").CountAsync() >= 2);
        await DashboardFixture.CheckPageAsync(page, "05-contact-timeline");

        await page.GetByLabel("Contact id").FillAsync("nobody-here");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No contact");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ContactSearch_ByEmail_OpensTheOneMatchOrListsSeveral()
    {
        foreach (var body in new[]
        {
            """{"id":"eve-search","email":"eve.search@example.com","tags":["vip"]}""",
            """{"id":"twin-one","email":"twins.search@example.com"}""",
            """{"id":"twin-two","email":"Twins.Search@example.com"}""",
        })
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var upsert = await fixture.Api.PostAsync("/api/contacts", content);
            Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        }

        var page = await fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Contacts" }).ClickAsync();
        await page.GetByLabel("Contact id or email").FillAsync(" EVE.search@example.com ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Contact eve-search" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("vip");

        await page.GetByLabel("Contact id or email").FillAsync("twins.search@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Assertions.Expect(page.Locator("#contact-matches tbody tr")).ToHaveCountAsync(2);
        await DashboardFixture.CheckPageAsync(page, "05b-contact-search-by-email");
        await page.GetByRole(AriaRole.Link, new() { Name = "twin-two" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Contact twin-two" })).ToBeVisibleAsync();

        await page.GetByLabel("Contact id or email").FillAsync("nobody.search@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No contact with the address");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Draft_ErrorShownAtItsPath_FixedThenSimulated_EmailsAtPhoneWidth_ThenPublished()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/#/draft/welcome-series");
        var editor = page.GetByLabel("Journey JSON");
        await Assertions.Expect(editor).ToContainTextAsync("\"template\": \"welcome\"");
        var original = await editor.InputValueAsync();
        var publish = page.GetByRole(AriaRole.Button, new() { Name = "Publish" });
        await Assertions.Expect(publish).ToBeDisabledAsync();

        await editor.FillAsync(original.Replace("\"template\": \"welcome\"", "\"template\": \"no-such-template\"", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and simulate" }).ClickAsync();
        var status = page.Locator("#draft-status");
        await Assertions.Expect(status).ToContainTextAsync("$.journey.steps[0].template");
        await Assertions.Expect(publish).ToBeDisabledAsync();
        await DashboardFixture.CheckPageAsync(page, "06-draft-error");

        var changed = original.Replace("\"name\": \"", "\"name\": \"Draft: ", StringComparison.Ordinal);
        await editor.FillAsync(changed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and simulate" }).ClickAsync();
        await Assertions.Expect(status).ToContainTextAsync("The draft validates");
        await Assertions.Expect(page.Locator("#sim-timeline tbody tr").First).ToBeVisibleAsync();
        var phone = page.Locator("iframe.phone").First;
        await Assertions.Expect(phone).ToBeVisibleAsync();
        Assert.Equal(375, (await phone.BoundingBoxAsync())!.Width, 1.0);
        await Assertions.Expect(page.Locator("iframe.phone").First.ContentFrame.Locator("body")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("pre.headers").First).ToContainTextAsync("List-Unsubscribe");
        await DashboardFixture.CheckPageAsync(page, "07-draft-simulated-emails");

        await publish.ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Assertions.Expect(status).ToContainTextAsync("Published as version");
        var published = await fixture.GetJsonAsync("/api/journeys/welcome-series");
        Assert.StartsWith("Draft: ", published.GetProperty("name").GetString(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task EmailPreview_TemplateForSampleData_RenderedAtPhoneWidthWithTextPartAndUnsubscribeHeaders()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Email preview" }).ClickAsync();
        await page.GetByLabel("Template").SelectOptionAsync("abandoned-cart|cart-reminder-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Render" }).ClickAsync();
        var phone = page.Locator("#preview-result iframe.phone");
        await Assertions.Expect(phone).ToBeVisibleAsync();
        Assert.Equal(375, (await phone.BoundingBoxAsync())!.Width, 1.0);
        await Assertions.Expect(phone.ContentFrame.Locator("body")).ToContainTextAsync("Merino beanie");
        await Assertions.Expect(page.Locator("#preview-result pre.headers")).ToContainTextAsync("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        await Assertions.Expect(page.Locator("#preview-result pre").First).ToContainTextAsync("Ana");
        await DashboardFixture.CheckPageAsync(page, "09-email-preview");
        await phone.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "09b-email-preview-phone.png") });

        // A stored contact that does not exist is named in the error.
        await page.GetByLabel("Contact id (optional)").FillAsync("nobody-at-all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Render" }).ClickAsync();
        await Assertions.Expect(page.Locator("#preview-result")).ToContainTextAsync("$.contactId");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JourneyPage_TwoVersions_ShowsEachDrawnAndTheDiffBetweenThem()
    {
        var v1 = await fixture.GetJsonAsync("/api/journeys/re-engagement?version=1");
        var text = File.ReadAllText(Path.Combine(DashboardFixture.RepositoryRoot, "journeys", "re-engagement.json"))
            .Replace("\"timeout\": \"P7D\"", "\"timeout\": \"P10D\"", StringComparison.Ordinal);
        Assert.Contains("P10D", text, StringComparison.Ordinal);
        using (var content = new StringContent(text, System.Text.Encoding.UTF8, "application/json"))
        using (var put = await fixture.Api.PutAsync("/api/journeys/re-engagement", content))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/#/journeys/re-engagement");
        await Assertions.Expect(page.Locator("svg .node").First).ToBeVisibleAsync();
        await page.GetByLabel("Compare with").SelectOptionAsync("1");
        await Assertions.Expect(page.Locator("#diff .removed")).ToContainTextAsync("P7D");
        await Assertions.Expect(page.Locator("#diff .added")).ToContainTextAsync("P10D");
        await DashboardFixture.CheckPageAsync(page, "10-journey-version-diff");

        await Assertions.Expect(page.Locator("svg")).ToContainTextAsync("timeout 10 days");
        await page.GetByLabel("Version", new() { Exact = true }).SelectOptionAsync("1");
        await Assertions.Expect(page.Locator("svg")).ToContainTextAsync("timeout 1 week");
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task EmailPreview_OutboxOfThisHost_ListsASentEmailAndOpensIt()
    {
        using (var response = await fixture.PostEventAsync("""{"contactId":"outbox-olga","name":"contact.subscribed","contact":{"email":"olga@example.com","marketingConsent":true,"fields":{"firstName":"Olga"}}}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await WaitUntilAsync(() => Task.FromResult(Directory.Exists(fixture.OutboxDirectory)
            && Directory.EnumerateFiles(fixture.OutboxDirectory, "*.eml").Any(f => File.ReadAllText(f).Contains("olga@example.com", StringComparison.Ordinal))), "Olga's welcome email is in the outbox");

        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/#/emails");
        var row = page.Locator("#outbox tbody tr", new() { HasText = "olga@example.com" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await row.GetByRole(AriaRole.Button).ClickAsync();
        var phone = page.Locator("#outbox-email iframe.phone");
        await Assertions.Expect(phone.ContentFrame.Locator("body")).ToContainTextAsync("Olga");
        await Assertions.Expect(page.Locator("#outbox-email pre.headers")).ToContainTextAsync("List-Unsubscribe-Post");
        await DashboardFixture.CheckPageAsync(page, "11-outbox-email");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PauseAndResume_AskForConfirmation_AndChangeTheJourneyThroughTheApi()
    {
        var page = await fixture.SignedInPageAsync();
        var row = page.Locator("#journeys tr[data-journey='post-purchase-review']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        var dialog = page.Locator("#confirm");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await DashboardFixture.CheckPageAsync(page, "08-pause-confirmation");

        // Cancel changes nothing.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.False(await PausedAsync("post-purchase-review"));

        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Pause journey" }).ClickAsync();
        await Assertions.Expect(page.Locator("#journeys tr[data-journey='post-purchase-review'] .pill")).ToHaveTextAsync("paused");
        Assert.True(await PausedAsync("post-purchase-review"));

        await page.Locator("#journeys tr[data-journey='post-purchase-review']").GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Resume journey" }).ClickAsync();
        await Assertions.Expect(page.Locator("#journeys tr[data-journey='post-purchase-review'] .pill")).ToHaveTextAsync("live");
        Assert.False(await PausedAsync("post-purchase-review"));
        await page.Context.CloseAsync();
    }

    private async Task<bool> PausedAsync(string id) =>
        (await fixture.GetJsonAsync("/api/journeys")).EnumerateArray().Single(j => j.GetProperty("id").GetString() == id).GetProperty("paused").GetBoolean();

    private static int WaitingCount(string? text) => int.Parse(WaitingPattern().Match(text ?? string.Empty).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"waiting (\d+)")]
    private static partial Regex WaitingPattern();
}

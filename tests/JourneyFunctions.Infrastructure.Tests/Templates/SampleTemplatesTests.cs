using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Templates;

namespace JourneyFunctions.Infrastructure.Tests.Templates;

public sealed class SampleTemplatesTests
{
    public static readonly string[] AllNames =
    [
        "welcome", "welcome-tips", "welcome-first-purchase", "cart-reminder-1", "cart-reminder-2", "cart-reminder-2-coupon",
        "winback", "winback-last-chance", "review-request", "review-reminder",
    ];

    public static TheoryData<string> Names => new(AllNames);

    private readonly LiquidTemplateRenderer _renderer = new(SampleModels.TemplatesDirectory);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task RenderAsync_SampleTemplate_RendersSubjectHtmlAndTextWithUnsubscribeLink(string name)
    {
        var email = await _renderer.RenderAsync(name, SampleModels.Model(name));

        Assert.False(string.IsNullOrWhiteSpace(email.Subject));
        Assert.DoesNotContain('\n', email.Subject);
        Assert.StartsWith("<!DOCTYPE html>", email.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://shop.example/api/unsubscribe?token=abc.def&amp;v=1\"", email.Html, StringComparison.Ordinal);
        Assert.Contains(SampleModels.UnsubscribeUrl, email.Text, StringComparison.Ordinal);
        Assert.Contains("123 Harbor Street", email.Html, StringComparison.Ordinal);
        Assert.Contains("Ann", email.Html, StringComparison.Ordinal);
        foreach (var part in new[] { email.Subject, email.Html, email.Text })
        {
            Assert.DoesNotContain("{{", part, StringComparison.Ordinal);
            Assert.DoesNotContain("{%", part, StringComparison.Ordinal);
            Assert.DoesNotContain("Liquid error", part, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<", email.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Check_SampleTemplate_HasNoProblems(string name)
    {
        Assert.True(_renderer.Exists(name));
        Assert.Empty(_renderer.Check(name, new TemplateScope([])));
    }

    [Theory]
    [InlineData("welcome-series.json")]
    [InlineData("abandoned-cart.json")]
    [InlineData("re-engagement.json")]
    [InlineData("post-purchase-review.json")]
    public void Validate_SampleJourneyWithTheTemplateCatalog_NoErrors(string file)
    {
        var json = File.ReadAllText(Path.Combine(JourneyFunctions.Infrastructure.Tests.Fixtures.RepoPaths.RepoRoot, "journeys", file));

        var result = JourneyFunctions.Core.Validation.JourneyValidator.Validate(json, _renderer);

        Assert.True(result.IsValid, string.Join("\n", result.Errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Fact]
    public void List_TemplatesFolder_HasTheTenSampleTemplatesAndNoPartials()
    {
        Assert.Equal(AllNames.Order(StringComparer.Ordinal), _renderer.List());
    }

    [Fact]
    public async Task RenderAsync_CartWithThreeItems_ListsItemsWithEuroLineTotalsAndTotal()
    {
        var email = await _renderer.RenderAsync("cart-reminder-1", SampleModels.Model("cart-reminder-1"));

        Assert.Equal("Ann, you left something in your cart", email.Subject);
        Assert.Contains("Enamel mug", email.Html, StringComparison.Ordinal);
        Assert.Contains("Tea towels &amp; cloths", email.Html, StringComparison.Ordinal);
        Assert.Contains("€39.98", email.Html, StringComparison.Ordinal);
        Assert.Contains("€45.00", email.Html, StringComparison.Ordinal);
        Assert.Contains("€25.50", email.Html, StringComparison.Ordinal);
        Assert.Contains("€110.48", email.Html, StringComparison.Ordinal);
        Assert.Contains("src=\"https://cdn.example/mug.jpg\"", email.Html, StringComparison.Ordinal);
        Assert.Contains("Return to your cart (https://shop.example/cart/cart-42?utm_source=email&utm_medium=journey)", email.Text, StringComparison.Ordinal);
        Assert.Contains("Tea towels & cloths", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Your cart is saved. Pick up", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_VipCoupon_ShowsDiscountedTotal()
    {
        var email = await _renderer.RenderAsync("cart-reminder-2-coupon", SampleModels.Model("cart-reminder-2-coupon"));

        Assert.Contains("€99.43", email.Html, StringComparison.Ordinal);
        Assert.Contains("VIP10", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_ContactWithoutFirstName_UsesFallback()
    {
        var email = await _renderer.RenderAsync("cart-reminder-1", SampleModels.Model("cart-reminder-1", SampleModels.Contact(firstName: null)));

        Assert.Equal("You left something in your cart", email.Subject);
        Assert.Contains("Hi there, we saved your cart", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_ReviewRequest_ListsOrderItemsWithoutPrices()
    {
        var email = await _renderer.RenderAsync("review-request", SampleModels.Model("review-request"));

        Assert.Equal("How is your order NW-1001?", email.Subject);
        Assert.Contains("Trail pack 24L", email.Html, StringComparison.Ordinal);
        Assert.Contains("Steel bottle", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("$89.00", email.Html, StringComparison.Ordinal);
        Assert.Contains("Write a review (https://shop.example/orders/NW-1001/review)", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_WelcomeWithTextTemplate_UsesTheTextTemplate()
    {
        var email = await _renderer.RenderAsync("welcome", SampleModels.Model("welcome"));

        Assert.StartsWith("Welcome, Ann!\n\nThanks for joining", email.Text, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe with one click: " + SampleModels.UnsubscribeUrl, email.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task RenderAsync_NoFirstNameAndAnEmptyTrigger_ReadsWellWithoutEmptyLinks(string name)
    {
        var empty = System.Text.Json.JsonDocument.Parse("{}").RootElement;

        var email = await _renderer.RenderAsync(name, SampleModels.Model(name, SampleModels.Contact(firstName: null), empty));

        foreach (var part in new[] { email.Subject, email.Html, email.Text })
        {
            Assert.DoesNotContain(", there!", part, StringComparison.Ordinal);
            Assert.DoesNotContain(", there?", part, StringComparison.Ordinal);
            Assert.DoesNotContain(", friend", part, StringComparison.Ordinal);
            Assert.DoesNotContain(" ,", part, StringComparison.Ordinal);
            Assert.DoesNotContain(", !", part, StringComparison.Ordinal);
            Assert.DoesNotContain(" ?", part, StringComparison.Ordinal);
            Assert.DoesNotContain("<strong></strong>", part, StringComparison.Ordinal);
            Assert.DoesNotContain("()", part, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("href=\"\"", email.Html, StringComparison.Ordinal);
        Assert.Matches("^[A-Z0-9]", email.Subject);
    }

    [Theory]
    [InlineData("cart-reminder-1", "https://northwind.example/cart")]
    [InlineData("cart-reminder-2", "https://northwind.example/cart")]
    [InlineData("cart-reminder-2-coupon", "https://northwind.example/cart")]
    [InlineData("review-request", "https://northwind.example/account/orders")]
    [InlineData("review-reminder", "https://northwind.example/account/orders")]
    public async Task RenderAsync_EventWithoutItsLink_ButtonGoesToTheShopsPage(string name, string fallback)
    {
        var empty = System.Text.Json.JsonDocument.Parse("{}").RootElement;

        var email = await _renderer.RenderAsync(name, SampleModels.Model(name, trigger: empty));

        Assert.Contains($"href=\"{fallback}\"", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_WelcomeWithoutFirstName_WelcomeWithoutThere()
    {
        var email = await _renderer.RenderAsync("welcome", SampleModels.Model("welcome", SampleModels.Contact(firstName: null)));

        Assert.StartsWith("Welcome!\n", email.Text, StringComparison.Ordinal);
        Assert.Contains(">Welcome!</h1>", email.Html, StringComparison.Ordinal);
        Assert.Equal("Welcome to Northwind Goods!", email.Subject);
    }
}

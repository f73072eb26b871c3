using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Tests.Services;

/// <summary>
/// A dated consent change (a storefront's <c>consent_updated_at</c>) applies only over older consent, so a profile
/// sync that still says "subscribed" cannot undo a later unsubscribe; an undated change applies as before.
/// </summary>
public sealed class ContactWriterConsentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static Contact Unsubscribed(DateTimeOffset at) =>
        new() { Id = "c", Consent = new Consent { Marketing = false, Source = "unsubscribe-link", At = at } };

    [Fact]
    public void Apply_DatedConsentOlderThanTheRecord_ChangesNothing()
    {
        var contact = Unsubscribed(Now);

        var result = ContactWriter.Apply(contact, new ContactPatch { MarketingConsent = true, ConsentAt = Now.AddHours(-1), ConsentSource = "shopify:x" }, Now);

        Assert.Same(contact, result);
    }

    [Fact]
    public void Apply_DatedConsentNewerThanTheRecord_AppliesAtItsOwnTime()
    {
        var result = ContactWriter.Apply(Unsubscribed(Now.AddDays(-1)), new ContactPatch { MarketingConsent = true, ConsentAt = Now.AddHours(-1), ConsentSource = "shopify:x" }, Now);

        Assert.True(result.Consent.Marketing);
        Assert.Equal("shopify:x", result.Consent.Source);
        Assert.Equal(Now.AddHours(-1), result.Consent.At);
    }

    [Fact]
    public void Apply_DatedConsentOnAContactWithNoRecord_Applies()
    {
        var result = ContactWriter.Apply(new Contact { Id = "c" }, new ContactPatch { MarketingConsent = true, ConsentAt = Now.AddDays(-30) }, Now);

        Assert.True(result.Consent.Marketing);
        Assert.Equal(Now.AddDays(-30), result.Consent.At);
    }

    [Fact]
    public void Apply_UndatedConsent_AppliesNow()
    {
        var result = ContactWriter.Apply(Unsubscribed(Now.AddMinutes(-5)), new ContactPatch { MarketingConsent = true }, Now);

        Assert.True(result.Consent.Marketing);
        Assert.Equal("api", result.Consent.Source);
        Assert.Equal(Now, result.Consent.At);
    }
}

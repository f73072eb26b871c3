using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="IContactStore"/> contract, run against every implementation.</summary>
public abstract class ContactStoreContract
{
    protected abstract IStorageBackend Backend { get; }

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        var store = Backend.Contacts();
        Assert.Null(await store.GetAsync("nobody"));
    }

    [Fact]
    public async Task SaveAsync_New_RoundTripsEveryField()
    {
        var store = Backend.Contacts();
        var contact = TestData.Contact("c-1", "vip", "Newsletter");

        var saved = await store.SaveAsync(contact);
        var read = await store.GetAsync("c-1");

        Assert.NotNull(saved.ETag);
        Assert.NotNull(read);
        Assert.Equal(saved.ETag, read.ETag);
        Assert.Equal("someone@example.com", read.Email);
        Assert.Equal("Europe/Madrid", read.TimeZone);
        Assert.Equal("Ana", read.Fields["firstName"].GetString());
        Assert.Equal(3, read.Fields["orders"].GetInt32());
        Assert.True(read.Tags.SetEquals(["vip", "newsletter"]));
        Assert.Contains("NEWSLETTER", read.Tags);
        Assert.True(read.Consent.Marketing);
        Assert.Equal("signup-form", read.Consent.Source);
        Assert.Equal(TestData.T0, read.Consent.At);
        Assert.Equal(TestData.T0, read.CreatedAt);
        Assert.Equal(TestData.T0.AddHours(1), read.LastActivityAt);
    }

    [Fact]
    public async Task SaveAsync_NewButExists_ThrowsConcurrency()
    {
        var store = Backend.Contacts();
        await store.SaveAsync(TestData.Contact("c-1"));

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.SaveAsync(TestData.Contact("c-1")));
    }

    [Fact]
    public async Task SaveAsync_StaleETag_ThrowsConcurrency()
    {
        var store = Backend.Contacts();
        var first = await store.SaveAsync(TestData.Contact("c-1"));
        var second = await store.SaveAsync(first with { Email = "new@example.com" });

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.SaveAsync(first with { Email = "stale@example.com" }));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("new@example.com", (await store.GetAsync("c-1"))!.Email);
    }

    [Fact]
    public async Task SaveAsync_ETagOfDeletedContact_ThrowsConcurrency()
    {
        var store = Backend.Contacts();
        var saved = await store.SaveAsync(TestData.Contact("c-1"));
        await store.DeleteAsync("c-1");

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.SaveAsync(saved));
    }

    [Fact]
    public async Task ListIdsByTagAsync_FollowsTagChanges()
    {
        var store = Backend.Contacts();
        var a = await store.SaveAsync(TestData.Contact("a", "vip", "new"));
        await store.SaveAsync(TestData.Contact("b", "vip"));

        Assert.Equal(["a", "b"], await List(store, "vip"));
        Assert.Equal(["a"], await List(store, "NEW"));

        await store.SaveAsync(a with { Tags = new HashSet<string>(["vip", "onboarded"], StringComparer.OrdinalIgnoreCase) });

        Assert.Empty(await List(store, "new"));
        Assert.Equal(["a"], await List(store, "onboarded"));
        Assert.Equal(["a", "b"], await List(store, "vip"));

        Assert.True(await store.DeleteAsync("a"));
        Assert.Equal(["b"], await List(store, "vip"));
        Assert.Empty(await List(store, "onboarded"));
    }

    [Fact]
    public async Task ListIdsByEmailAsync_FollowsAddressChangesAndErase()
    {
        var store = Backend.Contacts();
        var a = await store.SaveAsync(TestData.Contact("a") with { Email = "Ana@Example.com" });
        await store.SaveAsync(TestData.Contact("b") with { Email = "ana@example.com" });
        await store.SaveAsync(TestData.Contact("c") with { Email = null });

        Assert.Equal(["a", "b"], await ListByEmail(store, " ANA@example.COM "));
        Assert.Empty(await ListByEmail(store, "other@example.com"));

        var moved = await store.SaveAsync(a with { Email = "ana.new@example.com" });

        Assert.Equal(["b"], await ListByEmail(store, "ana@example.com"));
        Assert.Equal(["a"], await ListByEmail(store, "ana.new@example.com"));

        // A save that keeps the address keeps it findable.
        await store.SaveAsync(moved with { TimeZone = "UTC" });
        Assert.Equal(["a"], await ListByEmail(store, "ana.new@example.com"));

        Assert.True(await store.DeleteAsync("a"));
        Assert.Empty(await ListByEmail(store, "ana.new@example.com"));
        Assert.Equal(["b"], await ListByEmail(store, "ana@example.com"));
    }

    [Fact]
    public async Task ListIdsByEmailAsync_AddressRemoved_NotListed()
    {
        var store = Backend.Contacts();
        var saved = await store.SaveAsync(TestData.Contact("a") with { Email = "gone@example.com" });

        await store.SaveAsync(saved with { Email = null });

        Assert.Empty(await ListByEmail(store, "gone@example.com"));
    }

    [Fact]
    public async Task DeleteAsync_Missing_ReturnsFalse()
    {
        var store = Backend.Contacts();
        Assert.False(await store.DeleteAsync("nobody"));
    }

    [Fact]
    public async Task DeleteAsync_Existing_RemovesContact()
    {
        var store = Backend.Contacts();
        await store.SaveAsync(TestData.Contact("c-1"));

        Assert.True(await store.DeleteAsync("c-1"));
        Assert.Null(await store.GetAsync("c-1"));
        Assert.False(await store.DeleteAsync("c-1"));
    }

    [Fact]
    public async Task ListInactiveAsync_ReturnsContactsWithActivityBefore()
    {
        var store = Backend.Contacts();
        await store.SaveAsync(TestData.Contact("old") with { LastActivityAt = TestData.T0.AddDays(-40) });
        await store.SaveAsync(TestData.Contact("recent") with { LastActivityAt = TestData.T0.AddDays(-2) });
        await store.SaveAsync(TestData.Contact("never") with { CreatedAt = TestData.T0.AddDays(-31), LastActivityAt = null });

        var inactive = new List<string>();
        await foreach (var contact in store.ListInactiveAsync(TestData.T0.AddDays(-30)))
        {
            inactive.Add(contact.Id);
        }

        Assert.Equal(["never", "old"], inactive.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task SaveAsync_NastyIdAndTag_RoundTrips(string id)
    {
        var store = Backend.Contacts();
        await store.SaveAsync(TestData.Contact(id, id));

        var read = await store.GetAsync(id);

        Assert.NotNull(read);
        Assert.Equal(id, read.Id);
        Assert.Equal([id], await List(store, id));
        Assert.Null(await store.GetAsync(id + "x"));
        Assert.True(await store.DeleteAsync(id));
    }

    [Fact]
    public async Task SaveAsync_LargeFields_RoundTrips()
    {
        var store = Backend.Contacts();
        var big = new string('x', 200_000);
        var contact = TestData.Contact("big") with
        {
            Fields = new Dictionary<string, System.Text.Json.JsonElement> { ["notes"] = TestData.Json("\"" + big + "\"") },
        };

        await store.SaveAsync(contact);

        Assert.Equal(big, (await store.GetAsync("big"))!.Fields["notes"].GetString());
    }

    public static TheoryData<string> NastyIds => TestData.NastyIds;

    protected static async Task<List<string>> ListByEmail(IContactStore store, string email)
    {
        var ids = new List<string>();
        await foreach (var id in store.ListIdsByEmailAsync(email))
        {
            ids.Add(id);
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private static async Task<List<string>> List(IContactStore store, string tag)
    {
        var ids = new List<string>();
        await foreach (var id in store.ListIdsByTagAsync(tag))
        {
            ids.Add(id);
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}

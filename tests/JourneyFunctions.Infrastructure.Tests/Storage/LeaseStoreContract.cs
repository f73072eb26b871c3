namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="Core.Ports.ILeaseStore"/> contract, run against every implementation.</summary>
public abstract class LeaseStoreContract
{
    protected abstract IStorageBackend Backend { get; }

    public static TheoryData<string> NastyIds => TestData.NastyIds;

    [Fact]
    public async Task TryAcquireAsync_HeldByAnother_ReturnsNull()
    {
        var leases = Backend.Leases();

        await using var held = await leases.TryAcquireAsync("contact-1", "runner-a", TimeSpan.FromSeconds(30));

        Assert.NotNull(held);
        Assert.Equal("contact-1", held.Key);
        Assert.Null(await leases.TryAcquireAsync("contact-1", "runner-b", TimeSpan.FromSeconds(30)));
        Assert.NotNull(await leases.TryAcquireAsync("contact-2", "runner-b", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task TryAcquireAsync_Concurrent_OnlyOneWins()
    {
        var leases = Backend.Leases();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => leases.TryAcquireAsync("contact-1", $"runner-{i}", TimeSpan.FromSeconds(30))));

        Assert.Single(results, r => r is not null);
    }

    [Fact]
    public async Task DisposeAsync_ReleasesLease()
    {
        var leases = Backend.Leases();
        var held = await leases.TryAcquireAsync("contact-1", "runner-a", TimeSpan.FromSeconds(30));

        await held!.DisposeAsync();

        Assert.NotNull(await leases.TryAcquireAsync("contact-1", "runner-b", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task TryAcquireAsync_Expired_CanBeTakenOverAndOldHolderCannotRenew()
    {
        var leases = Backend.Leases();
        var old = await leases.TryAcquireAsync("contact-1", "runner-a", TimeSpan.FromSeconds(30));
        Backend.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(await leases.TryAcquireAsync("contact-1", "runner-b", TimeSpan.FromSeconds(30)));

        Backend.Time.Advance(TimeSpan.FromSeconds(2));
        var taken = await leases.TryAcquireAsync("contact-1", "runner-b", TimeSpan.FromSeconds(30));

        Assert.NotNull(taken);
        Assert.False(await old!.RenewAsync());
        await old.DisposeAsync();
        Assert.Null(await leases.TryAcquireAsync("contact-1", "runner-c", TimeSpan.FromSeconds(30)));
        Assert.True(await taken.RenewAsync());
    }

    [Fact]
    public async Task RenewAsync_ExtendsExpiry()
    {
        var leases = Backend.Leases();
        var held = await leases.TryAcquireAsync("contact-1", "runner-a", TimeSpan.FromSeconds(30));

        Backend.Time.Advance(TimeSpan.FromSeconds(25));
        Assert.True(await held!.RenewAsync());
        Backend.Time.Advance(TimeSpan.FromSeconds(25));

        Assert.Null(await leases.TryAcquireAsync("contact-1", "runner-b", TimeSpan.FromSeconds(30)));
        Backend.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.NotNull(await leases.TryAcquireAsync("contact-1", "runner-b", TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [MemberData(nameof(NastyIds))]
    public async Task TryAcquireAsync_NastyKey_IsExclusive(string key)
    {
        var leases = Backend.Leases();

        await using var held = await leases.TryAcquireAsync(key, "runner-a", TimeSpan.FromSeconds(30));

        Assert.NotNull(held);
        Assert.Null(await leases.TryAcquireAsync(key, "runner-b", TimeSpan.FromSeconds(30)));
    }
}

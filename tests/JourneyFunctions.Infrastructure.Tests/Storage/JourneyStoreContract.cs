using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The <see cref="Core.Ports.IJourneyStore"/> contract, run against every implementation.</summary>
public abstract class JourneyStoreContract
{
    protected abstract IStorageBackend Backend { get; }

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        var store = Backend.Journeys();
        Assert.Null(await store.GetAsync("nope"));
        Assert.Null(await store.GetAsync("nope", 1));
    }

    [Fact]
    public async Task PublishAsync_NumbersVersionsAndKeepsOldOnes()
    {
        var store = Backend.Journeys();

        var v1 = await store.PublishAsync(TestData.Journey("welcome", "Welcome v1"));
        Backend.Time.Advance(TimeSpan.FromHours(1));
        var v2 = await store.PublishAsync(TestData.Journey("welcome", "Welcome v2") with { Version = 99 });

        Assert.Equal(1, v1.Version);
        Assert.Equal(2, v2.Version);
        Assert.Equal("Welcome v1", (await store.GetAsync("welcome", 1))!.Name);
        Assert.Equal(1, (await store.GetAsync("welcome", 1))!.Version);
        Assert.Equal("Welcome v2", (await store.GetAsync("welcome"))!.Name);
        Assert.Equal(2, (await store.GetAsync("welcome"))!.Version);
        Assert.Null(await store.GetAsync("welcome", 3));
        var step = Assert.IsType<WaitStep>(Assert.Single((await store.GetAsync("welcome", 1))!.Steps));
        Assert.Equal("P1D", step.Duration);
    }

    [Fact]
    public async Task ListAsync_SummarisesLatestVersions()
    {
        var store = Backend.Journeys();
        await store.PublishAsync(TestData.Journey("b-journey", "B"));
        await store.PublishAsync(TestData.Journey("a-journey", "A"));
        Backend.Time.Advance(TimeSpan.FromMinutes(5));
        await store.PublishAsync(TestData.Journey("a-journey", "A2"));

        var list = await store.ListAsync();

        Assert.Equal(["a-journey", "b-journey"], list.Select(j => j.Id).Order(StringComparer.Ordinal));
        var a = list.Single(j => j.Id == "a-journey");
        Assert.Equal("A2", a.Name);
        Assert.Equal(2, a.LatestVersion);
        Assert.False(a.Paused);
        Assert.Equal(TestData.T0.AddMinutes(5), a.PublishedAt);
        Assert.Equal(JourneyStage.Onboarding, a.Stage);
        Assert.Equal("contact.subscribed", a.TriggerEvent);
    }

    [Fact]
    public async Task SetPausedAsync_TogglesAndSurvivesPublish()
    {
        var store = Backend.Journeys();
        Assert.False(await store.SetPausedAsync("welcome", true));
        await store.PublishAsync(TestData.Journey("welcome"));

        Assert.True(await store.SetPausedAsync("welcome", true));
        Assert.True((await store.ListAsync()).Single().Paused);

        await store.PublishAsync(TestData.Journey("welcome"));
        Assert.True((await store.ListAsync()).Single().Paused);

        Assert.True(await store.SetPausedAsync("welcome", false));
        Assert.False((await store.ListAsync()).Single().Paused);
    }

    [Fact]
    public async Task PublishAsync_Concurrent_GivesDistinctVersions()
    {
        var store = Backend.Journeys();

        var published = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => store.PublishAsync(TestData.Journey("race"))));

        Assert.Equal([1, 2, 3, 4, 5, 6], published.Select(p => p.Version!.Value).Order());
        Assert.Equal(6, (await store.GetAsync("race"))!.Version);
    }
}

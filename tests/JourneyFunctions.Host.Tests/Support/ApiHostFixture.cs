
namespace JourneyFunctions.Host.Tests.Support;

/// <summary>One host for the API tests of a class; each test uses its own contact and journey ids.</summary>
public sealed class ApiHostFixture : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Runner:Enabled"] = "false" });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Host.Tests;

/// <summary>What the built-in host refuses at start, and what its banner never prints.</summary>
public sealed class StartupSecurityTests
{
    [Fact]
    public async Task DescribeStartup_ConfiguredKey_NeverPrinted()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Runner:Enabled"] = "false" });

        var banner = JourneyHost.DescribeStartup(host.App);

        Assert.DoesNotContain(TestHost.ApiKey, banner, StringComparison.Ordinal);
        Assert.Contains("not shown", banner, StringComparison.Ordinal);
        Assert.Contains("$JOURNEYS_Host__ApiKey", banner, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildApp_ProductionWithTheDevelopmentKey_Refuses()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("Production", "dev-key", "https://journeys.example.com"));

        Assert.Contains("well-known", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://journeys.example.com")]
    [InlineData("https://127.0.0.1:7071")]
    [InlineData("https://localhost")]
    public void BuildApp_ProductionWithoutAPublicHttpsBaseUrl_Refuses(string? publicBaseUrl)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("Production", "a-long-random-production-key", publicBaseUrl));

        Assert.Contains("Sending:PublicBaseUrl", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildApp_ProductionWithoutTheAddressHashKey_Refuses()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build("Production", "a-long-random-production-key", "https://journeys.example.com", addressKey: null));

        Assert.Contains("Suppressions:Key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildApp_ProductionWithAKeyAndAPublicHttpsBaseUrl_Starts()
    {
        await using var app = Build("Production", "a-long-random-production-key", "https://journeys.example.com");

        Assert.NotNull(app);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(string environment, string key, string? publicBaseUrl, string? addressKey = "startup-tests-address-hash-key-of-32-plus-characters")
    {
        var work = Path.Combine(Path.GetTempPath(), "jf-startup-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Host:ApiKey"] = key,
            ["Runner:Enabled"] = "false",
            ["Host:PublishJourneysOnStart"] = "false",
            ["Email:Outbox:Directory"] = Path.Combine(work, "outbox"),
            ["Unsubscribe:Keys:0:Id"] = "test",
            ["Unsubscribe:Keys:0:Secret"] = "startup-tests-unsubscribe-secret-of-32-plus-characters",
        };
        if (addressKey is not null)
        {
            settings["Suppressions:Key"] = addressKey;
        }

        if (publicBaseUrl is not null)
        {
            settings["Sending:PublicBaseUrl"] = publicBaseUrl;
        }

        return JourneyHost.BuildApp(JourneyHost.CreateBuilder([], settings, environmentName: environment));
    }
}

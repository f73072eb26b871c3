using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Runner;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.FunctionApp.Tests;

/// <summary>The Functions app's timings come from configuration, and the pause recheck is the built-in runner's option.</summary>
public sealed class FunctionAppOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes_AndThePauseRecheckIsTheRunners()
    {
        using var provider = Build(new Dictionary<string, string?>());

        var options = provider.GetRequiredService<IOptions<FunctionAppOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(60), options.ContactLeaseDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ContactLeaseWait);
        var retry = options.ActivityRetryPolicy();
        Assert.Equal(5, retry.MaxNumberOfAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), retry.FirstRetryInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), retry.MaxRetryInterval);
        Assert.Equal(new RunnerOptions().PausedRecheck, provider.GetRequiredService<JourneyOrchestrationDriver>().PauseRecheck);
        Assert.Equal(RunnerOptions.DefaultPausedRecheck, JourneyOrchestrationDriver.DefaultPauseRecheck);
    }

    [Fact]
    public void Settings_AreBoundFromConfiguration()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Functions:ContactLeaseDuration"] = "00:00:20",
            ["Functions:ContactLeaseWait"] = "00:00:00.100",
            ["Functions:ContactLeaseAttempts"] = "7",
            ["Functions:ActivityMaxAttempts"] = "3",
            ["Functions:ActivityFirstRetryInterval"] = "00:00:02",
            ["Functions:ActivityBackoffCoefficient"] = "3",
            ["Functions:ActivityMaxRetryInterval"] = "00:01:00",
            ["Runner:PausedRecheck"] = "00:02:00",
        });

        var options = provider.GetRequiredService<IOptions<FunctionAppOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(20), options.ContactLeaseDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.ContactLeaseWait);
        Assert.Equal(7, options.ContactLeaseAttempts);
        var retry = options.ActivityRetryPolicy();
        Assert.Equal(3, retry.MaxNumberOfAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), retry.FirstRetryInterval);
        Assert.Equal(3, retry.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromMinutes(1), retry.MaxRetryInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), provider.GetRequiredService<JourneyOrchestrationDriver>().PauseRecheck);
    }

    [Theory]
    [InlineData("Functions:ActivityMaxAttempts", "0", "ActivityMaxAttempts")]
    [InlineData("Functions:ActivityMaxRetryInterval", "00:00:01", "ActivityMaxRetryInterval")]
    public void ActivityRetryPolicy_OutOfRange_NamesTheSetting(string key, string value, string named)
    {
        using var provider = Build(new Dictionary<string, string?> { [key] = value });

        var refused = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<FunctionAppOptions>>().Value.ActivityRetryPolicy());
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddJourneyFunctionApp(configuration);
        return services.BuildServiceProvider();
    }
}

using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.DependencyInjection;
using JourneyFunctions.Infrastructure.Email;
using JourneyFunctions.Infrastructure.EventGrid;
using JourneyFunctions.Infrastructure.Templates;
using JourneyFunctions.Infrastructure.Tests.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Infrastructure.Tests.Email;

public sealed class EmailServiceCollectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jf-email-di-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(null, typeof(OutboxEmailSender))]
    [InlineData("Outbox", typeof(OutboxEmailSender))]
    [InlineData("smtp", typeof(SmtpEmailSender))]
    [InlineData("Acs", typeof(AcsEmailSender))]
    public void AddJourneyEmail_Provider_RegistersItsSender(string? provider, Type expected)
    {
        using var services = Build(new() { ["Email:Provider"] = provider, ["Email:Acs:ConnectionString"] = "endpoint=https://x.communication.azure.com/;accesskey=AQID" });

        Assert.IsType(expected, services.GetRequiredService<IEmailSender>());
    }

    [Fact]
    public void AddJourneyEmail_UnknownProvider_Throws()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Email:Provider"] = "Carrier pigeon" }));

        Assert.Contains("Outbox, Acs or Smtp", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddJourneyEmail_Templates_OneRendererServesBothPortsFromTheConfiguredFolder()
    {
        using var services = Build(new() { ["Templates:Directory"] = SampleModels.TemplatesDirectory });

        var renderer = services.GetRequiredService<ITemplateRenderer>();

        Assert.Same(renderer, services.GetRequiredService<ITemplateCatalog>());
        Assert.True(renderer.Exists("cart-reminder-1"));
        Assert.IsType<AcsReportProcessor>(services.GetRequiredService<AcsReportProcessor>());
    }

    [Fact]
    public void AddJourneyEmail_ConfiguredKeys_UrlsCarryTokensTheyVerify()
    {
        using var services = Build(new()
        {
            ["Sending:PublicBaseUrl"] = "https://shop.example",
            ["Unsubscribe:Keys:0:Id"] = "k2026",
            ["Unsubscribe:Keys:0:Secret"] = "0123456789abcdef0123456789abcdef0123",
        });

        var url = services.GetRequiredService<IUnsubscribeUrlBuilder>().Build("c-1", "marketing");

        Assert.StartsWith("https://shop.example/api/unsubscribe?token=1.k2026.", url, StringComparison.Ordinal);
        Assert.True(services.GetRequiredService<UnsubscribeTokens>().TryVerify(Uri.UnescapeDataString(url.Split("token=")[1]), out var claims));
        Assert.Equal("c-1", claims.ContactId);
    }

    [Fact]
    public void AddJourneyEmail_NoKeys_LocalKeyFileSurvivesARestart()
    {
        var settings = new Dictionary<string, string?> { ["Unsubscribe:LocalKeyPath"] = Path.Combine(_directory, "keys", "unsubscribe.key") };
        string token;
        using (var first = Build(settings))
        {
            token = first.GetRequiredService<UnsubscribeTokens>().Create("c-1", "marketing", DateTimeOffset.UnixEpoch);
        }

        using var second = Build(settings);

        Assert.True(second.GetRequiredService<UnsubscribeTokens>().TryVerify(token, out var claims));
        Assert.Equal("local", claims.KeyId);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddJourneyStorage(configuration);
        services.AddJourneyEmail(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}

using JourneyFunctions.Cli.Commands;

namespace JourneyFunctions.Cli.Tests.Commands;

public sealed class CliConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cli-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_ReadsTheEnvironmentsFileOverTheBaseFile_AsTheHostDoes()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), """{ "Webhooks": { "Secrets": { "base": "b", "both": "from-base" } } }""");
        File.WriteAllText(Path.Combine(_folder, "appsettings.Staging.json"), """{ "Webhooks": { "Secrets": { "staging": "s", "both": "from-staging" } } }""");

        var staging = CliConfiguration.Load(_folder, "Staging");
        var production = CliConfiguration.Load(_folder, "Production");

        Assert.Equal("b", staging["Webhooks:Secrets:base"]);
        Assert.Equal("s", staging["Webhooks:Secrets:staging"]);
        Assert.Equal("from-staging", staging["Webhooks:Secrets:both"]);
        Assert.Null(production["Webhooks:Secrets:staging"]);
        Assert.Equal("from-base", production["Webhooks:Secrets:both"]);
    }
}

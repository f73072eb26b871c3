using System.Text.Json.Nodes;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>Compiles and lints infra/main.bicep once for every test that inspects the result.</summary>
public sealed class CompiledInfraFixture : IAsyncLifetime
{
    internal BicepRun Build { get; private set; } = null!;

    internal BicepRun Lint { get; private set; } = null!;

    internal ArmTemplate Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync("build", InfraPaths.MainBicep, "--stdout");
        Lint = await BicepCli.RunAsync("lint", InfraPaths.MainBicep);
        if (Build.ExitCode == 0)
        {
            Template = new ArmTemplate(JsonNode.Parse(Build.StandardOutput)!.AsObject());
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class CompiledInfraCollection : ICollectionFixture<CompiledInfraFixture>
{
    public const string Name = "compiled infra";
}

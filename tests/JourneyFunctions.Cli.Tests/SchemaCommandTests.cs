using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Cli.Tests;

public sealed class SchemaCommandTests
{
    [Fact]
    public async Task Schema_PrintsTheGeneratedSchemaExactly()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync("schema");

        Assert.Equal(0, exitCode);
        Assert.Equal(JourneySchema.Generate(), output);
        Assert.Empty(error);
    }
}

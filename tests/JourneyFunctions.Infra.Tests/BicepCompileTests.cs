namespace JourneyFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class BicepCompileTests(CompiledInfraFixture infra)
{
    [Fact]
    public void Build_MainBicep_SucceedsWithoutErrorsOrWarnings()
    {
        Assert.True(infra.Build.ExitCode == 0, "bicep build failed:" + Environment.NewLine + infra.Build.Describe());
        Assert.True(infra.Build.Diagnostics.Count == 0, "bicep build reported:" + Environment.NewLine + infra.Build.Describe());
        Assert.StartsWith("{", infra.Build.StandardOutput.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_MainBicep_ReportsNothing()
    {
        // bicep lint exits 0 on warnings, so the diagnostics themselves are the verdict.
        Assert.True(infra.Lint.ExitCode == 0, "bicep lint failed:" + Environment.NewLine + infra.Lint.Describe());
        Assert.True(infra.Lint.Diagnostics.Count == 0, "bicep lint reported:" + Environment.NewLine + infra.Lint.Describe());
    }

    [Fact]
    public async Task Lint_FileWithUnusedParameter_ReportsWarningWithLocation()
    {
        // Proves the diagnostics parser sees what the linter prints, so the two tests above cannot pass vacuously.
        var dir = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            File.Copy(Path.Combine(RepoPaths.Infra, "bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            var file = Path.Combine(dir.FullName, "bad.bicep");
            await File.WriteAllTextAsync(file, "param forgotten string\n");

            var run = await BicepCli.RunAsync("lint", file);

            var diagnostic = Assert.Single(run.Diagnostics);
            Assert.Equal(("bad.bicep", 1, "Warning", "no-unused-params"), (diagnostic.File, diagnostic.Line, diagnostic.Level, diagnostic.Code));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Build_FileWithTypeError_FailsWithError()
    {
        var dir = Directory.CreateTempSubdirectory("bicep-build-");
        try
        {
            var file = Path.Combine(dir.FullName, "broken.bicep");
            await File.WriteAllTextAsync(file, "param count int = 'three'\noutput c int = count\n");

            var run = await BicepCli.RunAsync("build", file, "--stdout");

            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(run.Diagnostics, d => d.Level == "Error" && d.Line == 1);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("app/identity.bicep")]
    [InlineData("app/storage.bicep")]
    [InlineData("app/monitoring.bicep")]
    [InlineData("app/keyvault.bicep")]
    [InlineData("app/communication.bicep")]
    [InlineData("app/function.bicep")]
    [InlineData("app/eventgrid.bicep")]
    public async Task Lint_Module_ReportsNothing(string module)
    {
        var run = await BicepCli.RunAsync("lint", Path.Combine(RepoPaths.Infra, module));

        Assert.True(run.ExitCode == 0 && run.Diagnostics.Count == 0, $"bicep lint {module}:" + Environment.NewLine + run.Describe());
    }
}

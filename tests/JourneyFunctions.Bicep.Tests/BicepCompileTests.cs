namespace JourneyFunctions.Bicep.Tests;

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
            File.Copy(Path.Combine(InfraPaths.Infra, "bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
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

    [Fact]
    public async Task Lint_MainWithAModuleWarning_ReportsTheModuleFile()
    {
        // Linting main.bicep lints every module it uses, so Lint_MainBicep_ReportsNothing covers infra/app/*.bicep.
        var dir = Directory.CreateTempSubdirectory("bicep-modules-");
        try
        {
            File.Copy(Path.Combine(InfraPaths.Infra, "bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            Directory.CreateDirectory(Path.Combine(dir.FullName, "app"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "app", "child.bicep"), "param unused string\noutput ok string = 'ok'\n");
            var main = Path.Combine(dir.FullName, "main.bicep");
            await File.WriteAllTextAsync(main, "module child 'app/child.bicep' = {\n  params: {\n    unused: 'x'\n  }\n}\n");

            var run = await BicepCli.RunAsync("lint", main);

            var diagnostic = Assert.Single(run.Diagnostics);
            Assert.Equal(("child.bicep", "no-unused-params"), (diagnostic.File, diagnostic.Code));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

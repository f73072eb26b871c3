using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>
/// Runs the bicep compiler that ships in the Azure.Bicep.CommandLine.linux-x64 NuGet package (its folder is baked in
/// at build time). On other platforms, BICEP_PATH or a bicep on PATH is used. Works offline: infra/ uses local
/// modules only, so nothing is restored from a registry.
/// </summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string ExecutablePath { get; } = Locate();

    public static async Task<BicepRun> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The compiler checks for updates and sends telemetry only when asked; keep it quiet and offline regardless.
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return "bicep";
        }

        var packagePath = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPackagePath").Value;
        if (string.IsNullOrEmpty(packagePath))
        {
            throw new InvalidOperationException("The build did not record the Azure.Bicep.CommandLine.linux-x64 package folder.");
        }

        var path = Path.Combine(packagePath, "tools", "bicep");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("The bicep compiler is missing from its NuGet package folder.", path);
        }

        // NuGet extraction does not always keep the execute bit.
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | exec);
        }

        return path;
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$", RegexOptions.Multiline)]
    internal static partial Regex DiagnosticPattern();
}

/// <summary>One compiler run: exit code, output, and the diagnostics it printed.</summary>
internal sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; } = BicepCli.DiagnosticPattern()
        .Matches(StandardError)
        .Select(m => new BicepDiagnostic(
            Path.GetFileName(m.Groups["file"].Value),
            int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups["level"].Value,
            m.Groups["code"].Value,
            m.Groups["message"].Value.Trim()))
        .ToList();

    /// <summary>Errors and warnings, one per line, for an assertion message.</summary>
    public string Describe() => string.Join(Environment.NewLine, Diagnostics.Select(d => d.ToString())) + Environment.NewLine + StandardError;
}

internal sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line}) {Level} {Code}: {Message}";
}

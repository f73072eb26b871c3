using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Infrastructure.Tests.Fixtures;

/// <summary>Paths of the repository the tests run from.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder holding JourneyFunctions.sln, found by walking up from the test assembly.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>An npm-installed executable: <c>&lt;repo&gt;/node_modules/.bin/&lt;name&gt;</c>.</summary>
    public static string NodeBin(string name) => Path.Combine(RepoRoot, "node_modules", ".bin", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No JourneyFunctions.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }
}

/// <summary>
/// Installs the pinned test services of package.json (Azurite, MailDev) with <c>npm ci</c> when they are missing, so
/// a clean clone needs nothing but node and npm. A file lock keeps two test assemblies from installing at once.
/// </summary>
public static class NpmTools
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <summary>Makes sure <c>node_modules/.bin/<paramref name="binName"/></c> exists and returns its path.</summary>
    public static async Task<string> EnsureInstalledAsync(string binName, CancellationToken cancellationToken = default)
    {
        var bin = RepoPaths.NodeBin(binName);
        if (File.Exists(bin))
        {
            return bin;
        }

        await InProcess.WaitAsync(cancellationToken);
        try
        {
            using var fileLock = await AcquireFileLockAsync(cancellationToken);
            if (!File.Exists(bin))
            {
                await RunNpmCiAsync(cancellationToken);
            }

            return File.Exists(bin)
                ? bin
                : throw new InvalidOperationException($"npm ci finished but {bin} is missing: is '{binName}' in package.json?");
        }
        finally
        {
            InProcess.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(RepoPaths.RepoRoot)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"journeyfunctions-npm-{hash}.lock");
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock on Unix as on Windows: another process waits here.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    private static async Task RunNpmCiAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = RepoPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start npm: is Node.js installed?");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"npm ci in {RepoPaths.RepoRoot} did not finish in 10 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"npm ci in {RepoPaths.RepoRoot} failed with exit code {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }
}

/// <summary>
/// A service process started for the tests (Azurite, MailDev): waits until its output shows every expected line,
/// captures what those lines matched (e.g. the ports it picked), and kills the whole process tree on dispose.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process) => this._process = process;

    /// <summary>Matches of each ready pattern, in the order given.</summary>
    public IReadOnlyList<Match> Ready { get; private set; } = [];

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts <paramref name="fileName"/> in a fresh temporary working directory and waits until every pattern in
    /// <paramref name="readyPatterns"/> has matched a line of stdout or stderr.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string fileName, IEnumerable<string> arguments, IReadOnlyList<Regex> readyPatterns, TimeSpan timeout)
    {
        var workDir = Directory.CreateTempSubdirectory("jf-service-").FullName;
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        var matches = new Match?[readyPatterns.Count];
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (service._output)
            {
                service._output.AppendLine(line);
                for (var i = 0; i < readyPatterns.Count; i++)
                {
                    if (matches[i] is null && readyPatterns[i].Match(line) is { Success: true } m)
                    {
                        matches[i] = m;
                    }
                }

                if (matches.All(m => m is not null))
                {
                    allReady.TrySetResult();
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => allReady.TrySetException(new InvalidOperationException($"{fileName} exited early:\n{service.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await allReady.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            service.Dispose();
            throw new TimeoutException($"{fileName} was not ready within {timeout}:\n{service.Output}");
        }
        catch
        {
            service.Dispose();
            throw;
        }

        service.Ready = [.. matches.Select(m => m!)];
        return service;
    }

    /// <summary>Everything the process printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        Directory.Delete(_process.StartInfo.WorkingDirectory, recursive: true);
        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JourneyFunctions.Host.Tests.Support;

/// <summary>
/// The real <c>journeys</c> executable as a child process (<c>dotnet journeys.dll serve ...</c>) on a fixed loopback
/// port, so it can be killed with SIGKILL and started again on the same address.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    /// <summary>Written into <see cref="Output"/> before each start, so a search can begin at the last one.</summary>
    private const string StartMarker = "--- start ";

    private readonly IReadOnlyList<string> _arguments;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public ChildHost(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        Port = FreePort();
        _arguments = [.. arguments, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        _environment = environment;
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Starts { get; private set; }

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 6000 ? text[^6000..] : text;
            }
        }
    }

    public static string JourneysDll => Path.Combine(AppContext.BaseDirectory, "journeys.dll");

    /// <summary>How often the process started last has written <paramref name="text"/> (in the last 200,000 characters).</summary>
    public int CountSinceLastStart(string text)
    {
        lock (_output)
        {
            var all = _output.ToString();
            var count = 0;
            for (var at = Math.Max(all.LastIndexOf(StartMarker, StringComparison.Ordinal), 0); (at = all.IndexOf(text, at, StringComparison.Ordinal)) >= 0; at += text.Length)
            {
                count++;
            }

            return count;
        }
    }

    /// <summary>Starts the process and waits until <c>/health</c> answers.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(JourneysDll);
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        Append($"{StartMarker}{Starts + 1} ---");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"journeys serve exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"journeys serve did not answer /health:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, exactly what a crash or an OOM kill does.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

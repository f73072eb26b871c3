namespace JourneyFunctions.SideBySide;

/// <summary>Waits, polling every 200 ms, until an engine reports every run of the workload ended.</summary>
public static class Completion
{
    /// <summary>How long a round may take before it is given up (generous: a loaded 2-core machine is slow).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    public static async Task<int> WaitAsync(Workload workload, Func<CancellationToken, Task<int>> completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(completed);
        var deadline = DateTime.UtcNow + Limit;
        var report = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var done = await completed(cancellationToken);
            if (done >= workload.Contacts)
            {
                return done;
            }

            if (DateTime.UtcNow > report)
            {
                Console.WriteLine($"    ... {Math.Max(0, done)} of {workload.Contacts} runs ended");
                report = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {done} of {workload.Contacts} runs ended within {Limit}.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}

/// <summary>The one-minute load average of the machine (Linux), to record next to every figure.</summary>
public static class LoadAverage
{
    public static double Now() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : double.NaN;
}

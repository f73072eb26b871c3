using System.Diagnostics;
using System.Globalization;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// Runs each transition benchmark on one thread for a few seconds and reports transitions per second, both per wall
/// second and per CPU second of the process, and the bytes this thread allocated per transition (exact, whatever the
/// load). On a busy machine the CPU figure is the one that says what one core does.
/// </summary>
internal static class MachineThroughput
{
    public static void Run(double seconds)
    {
        var bench = new MachineBenchmarks();
        bench.Setup();
        var cases = new (string Name, Func<object> Body, int Transitions)[]
        {
            (nameof(MachineBenchmarks.Machine_TimerThroughBranch), bench.Machine_TimerThroughBranch, MachineBenchmarks.Transitions),
            (nameof(MachineBenchmarks.Machine_ActivitiesAndTimers), bench.Machine_ActivitiesAndTimers, MachineBenchmarks.Transitions),
            (nameof(MachineBenchmarks.Machine_EventWakesWait), bench.Machine_EventWakesWait, MachineBenchmarks.Transitions),
            (nameof(MachineBenchmarks.Machine_DecideEntryAndStart), bench.Machine_DecideEntryAndStart, 1),
        };
        Console.WriteLine("| Benchmark | transitions | wall s | CPU s | transitions/s (wall) | transitions/s (CPU) | B/transition |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, body, transitions) in cases)
        {
            // Warm up (JIT tiering), then measure.
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < 1)
            {
                body();
            }

            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var allocated0 = GC.GetAllocatedBytesForCurrentThread();
            var wall = Stopwatch.StartNew();
            long total = 0;
            while (wall.Elapsed.TotalSeconds < seconds)
            {
                body();
                total += transitions;
            }

            wall.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocated0;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            var w = wall.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {total:N0} | {w:F2} | {cpu:F2} | {total / w:N0} | {total / cpu:N0} | {(double)allocated / total:F0} |"));
        }
    }
}

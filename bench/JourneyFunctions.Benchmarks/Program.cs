using BenchmarkDotNet.Running;
using JourneyFunctions.Benchmarks;

// `throughput` measures transitions per second of wall time and per second of CPU time (the fair figure on a shared
// machine, where wall time includes waiting for a core); anything else goes to BenchmarkDotNet.
if (args is ["throughput", ..])
{
    MachineThroughput.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3.0);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

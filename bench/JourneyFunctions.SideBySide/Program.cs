using System.Globalization;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using JourneyFunctions.SideBySide;

// dotnet run -c Release --project bench/JourneyFunctions.SideBySide -- [--contacts 300] [--rounds 3] [--grace 2]
//   [--timeout 4] [--concurrency 8] [--dtfx-poll-ms 500] [--engines dtfx,host,functions]
var options = Arguments.Parse(args);
var inv = CultureInfo.InvariantCulture;
using var azurite = await Azurite.StartAsync();
var workload = new Workload(
    options.Contacts,
    TimeSpan.FromSeconds(options.GraceSeconds),
    TimeSpan.FromSeconds(options.TimeoutSeconds),
    options.Concurrency,
    TimeSpan.FromMilliseconds(options.DtfxPollMilliseconds),
    azurite.ConnectionString,
    RepoPaths.RepoRoot);
Console.WriteLine(string.Create(inv,
    $"Side by side on one Azurite (pid {azurite.ProcessId}): {workload.Contacts} contacts, grace {workload.Grace.TotalSeconds:0.#} s, order wait {workload.OrderTimeout.TotalSeconds:0.#} s, " +
    $"{workload.Ordering} ordering, {options.Rounds} rounds of {string.Join(" ", options.Engines)}; {Environment.ProcessorCount} processors, load average {LoadAverage.Now():0.00}"));

var results = new List<EngineResult>();
for (var round = 1; round <= options.Rounds; round++)
{
    foreach (var engine in options.Engines)
    {
        var result = engine switch
        {
            DtfxBaseline.Name => await DtfxBaseline.RunAsync(workload, round, CancellationToken.None),
            BuiltInHost.Name => await BuiltInHost.RunAsync(workload, round, CancellationToken.None),
            FunctionsPath.Name => await FunctionsPath.RunAsync(workload, round, CancellationToken.None),
            _ => throw new ArgumentException($"Unknown engine '{engine}' (dtfx, host, functions)."),
        };
        results.Add(result);
        Console.WriteLine(Report.Line(result, workload));
    }
}

Console.WriteLine();
Console.Write(Report.Summary(results, options.Engines));
Console.WriteLine(string.Create(inv, $"Load average at the end: {LoadAverage.Now():0.00}"));
return results.All(r => r.Emails == workload.ExpectedEmails && r.Completed == workload.Contacts) ? 0 : 1;

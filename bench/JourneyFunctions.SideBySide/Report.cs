using System.Globalization;
using System.Text;

namespace JourneyFunctions.SideBySide;

/// <summary>The figures: one line per engine and round, then min/median/max per engine and the ratios to DTFx.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Line(EngineResult r, Workload workload)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(workload);
        var check = r.Emails == workload.ExpectedEmails && r.Completed == workload.Contacts ? "ok" : $"WRONG: expected {workload.ExpectedEmails} emails and {workload.Contacts} runs";
        var top = string.Join(", ", r.RequestsByKind.OrderByDescending(k => k.Value).Take(6).Select(k => $"{k.Key} {k.Value}"));
        return string.Create(Inv,
            $"round {r.Round} {r.Engine,-9} {r.Completed} runs in {r.Seconds,7:0.00} s = {r.RunsPerSecond,6:0.0} runs/s; {r.Requests} requests = {r.RequestsPerRun:0.0}/run, {r.RequestsPerStep:0.00}/step; " +
            $"{r.Emails} emails ({check}); load {r.LoadBefore:0.0} -> {r.LoadAfter:0.0}\n    top: {top}");
    }

    public static string Summary(IReadOnlyList<EngineResult> results, IReadOnlyList<string> engines)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(engines);
        var sb = new StringBuilder();
        sb.Append("engine     runs/s min/median/max     requests/run min/median/max   requests/step min/median/max\n");
        foreach (var engine in engines)
        {
            var mine = results.Where(r => r.Engine == engine).ToList();
            sb.Append(Inv, $"{engine,-10} {Spread(mine.Select(r => r.RunsPerSecond)),-24} {Spread(mine.Select(r => r.RequestsPerRun)),-29} {Spread(mine.Select(r => r.RequestsPerStep), "0.00")}\n");
        }

        if (engines.Contains(DtfxBaseline.Name))
        {
            sb.Append("ratios to dtfx, per round (min/median/max over rounds):\n");
            foreach (var engine in engines.Where(e => e != DtfxBaseline.Name))
            {
                var pairs = results.Where(r => r.Engine == engine)
                    .Select(r => (Mine: r, Base: results.Single(b => b.Engine == DtfxBaseline.Name && b.Round == r.Round)))
                    .ToList();
                sb.Append(Inv, $"{engine,-10} runs/s x{Spread(pairs.Select(p => p.Mine.RunsPerSecond / p.Base.RunsPerSecond), "0.00")}; requests/run x{Spread(pairs.Select(p => p.Mine.RequestsPerRun / p.Base.RequestsPerRun), "0.00")}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>min/median/max (the median of an even count is the mean of the middle two).</summary>
    public static string Spread(IEnumerable<double> values, string format = "0.0")
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return "-";
        }

        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(Inv, $"{sorted[0].ToString(format, Inv)}/{median.ToString(format, Inv)}/{sorted[^1].ToString(format, Inv)}");
    }
}

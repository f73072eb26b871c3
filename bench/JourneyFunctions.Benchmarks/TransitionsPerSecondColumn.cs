using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// Operations per second from the mean time per operation. The machine benchmarks count one operation per transition
/// (OperationsPerInvoke), so this column reads as transitions per second on one core.
/// </summary>
public sealed class TransitionsPerSecondColumn : IColumn
{
    public string Id => nameof(TransitionsPerSecondColumn);

    public string ColumnName => "Transitions/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Transitions (operations) per second on one thread: 1 s / Mean";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 ? (1e9 / mean.Value).ToString("N0", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Adds <see cref="TransitionsPerSecondColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TransitionsPerSecondColumnAttribute : ColumnConfigBaseAttribute
{
    public TransitionsPerSecondColumnAttribute()
        : base(new TransitionsPerSecondColumn())
    {
    }
}

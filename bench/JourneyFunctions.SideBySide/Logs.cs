using Microsoft.Extensions.Logging;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// The engines' logs: none by default (logging is not part of what is measured); JF_BENCH_LOG=Information (or Debug,
/// Warning) prints them, to follow a round that does not end.
/// </summary>
public static class Logs
{
    public static ILoggerFactory Factory { get; } = Create();

    private static ILoggerFactory Create()
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("JF_BENCH_LOG"), out var parsed) ? parsed : LogLevel.None;
        return LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(level);
            if (level != LogLevel.None)
            {
                b.AddSimpleConsole(o => o.SingleLine = true);
            }
        });
    }
}

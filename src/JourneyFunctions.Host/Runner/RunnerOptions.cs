namespace JourneyFunctions.Host.Runner;

/// <summary>
/// The built-in runner (configuration section <c>Runner</c>): how the queue consumer, the due-timer loop and the
/// inactivity sweep pace themselves. Defaults suit one small machine; several hosts may share one storage account.
/// </summary>
public sealed class RunnerOptions
{
    public const string SectionName = "Runner";

    /// <summary>Turn the runner off to serve only the API (another instance, or the Functions app, runs the journeys).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages received per call (Queue Storage allows at most 32).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Contacts processed at once by this instance.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>How long a received message stays invisible; a failed one is retried after it.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A message that fails on its N-th delivery goes to the poison queue with the failure's reason.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Longest pause between polls of an empty queue (the pause grows from a few ms up to this).</summary>
    public TimeSpan MaxIdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often due timers are looked for, on the host's <see cref="TimeProvider"/>.</summary>
    public TimeSpan TimerInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Due timers fired per pass at most (the next pass takes the rest).</summary>
    public int TimerBatchSize { get; set; } = 500;

    /// <summary>How often the inactivity sweep runs, on the host's <see cref="TimeProvider"/>.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}

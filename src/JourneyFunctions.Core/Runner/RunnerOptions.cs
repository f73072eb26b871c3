namespace JourneyFunctions.Core.Runner;

/// <summary>
/// The built-in runner (configuration section <c>Runner</c>): how <see cref="JourneyRunner"/> drains the queue and
/// fires due timers, and how the built-in host's loops pace themselves. Defaults suit one small machine; several hosts
/// may share one storage account. The simulator and <c>journeys load</c> run the same runner with their own values
/// (one contact at a time in the simulator, <c>--workers</c> in the load command).
/// </summary>
public sealed class RunnerOptions
{
    public const string SectionName = "Runner";

    /// <summary>Turn the runner off to serve only the API (another instance, or the Functions app, runs the journeys).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages received per pass (in calls of at most 32, the Queue Storage limit).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Contacts routed, and timers fired, at once by this instance.</summary>
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

    /// <summary>
    /// The first pause before a run whose timer failed to fire is tried again; each further failure doubles it, up to
    /// <see cref="MaxTimerRetryDelay"/>.
    /// </summary>
    public TimeSpan TimerRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between attempts to fire a failing run's timer.</summary>
    public TimeSpan MaxTimerRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Attempts at firing a run's timer before the run is given up: it then ends as failed with the last failure as
    /// its reason (timeline, stats <c>failed</c>, the contact API). Between attempts the run's due time is moved to the
    /// next attempt, so failing runs leave the head of the due list and never starve other runs.
    /// </summary>
    public int MaxTimerAttempts { get; set; } = 8;

    /// <summary>
    /// How far a due run of a paused journey is moved ahead (same wait) before it is looked at again, so held runs do
    /// not stay at the head of the due list and starve other journeys' runs.
    /// </summary>
    public TimeSpan PausedRecheck { get; set; } = DefaultPausedRecheck;

    /// <summary>The default of <see cref="PausedRecheck"/>, also the Functions app's (<c>JourneyOrchestrationDriver</c>).</summary>
    public static readonly TimeSpan DefaultPausedRecheck = TimeSpan.FromMinutes(5);

    /// <summary>How often the inactivity sweep runs, on the host's <see cref="TimeProvider"/>.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}

using System.Diagnostics;
using System.Globalization;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Runner;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Time;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Simulation;

/// <summary>What the simulator needs besides the journey and the scenario.</summary>
public sealed class SimulationOptions
{
    /// <summary>The email templates folder (the real templates the host sends).</summary>
    public required string TemplatesDirectory { get; init; }

    /// <summary>Sending rules (frequency cap, quota); default: the product defaults.</summary>
    public Action<SendingOptions>? Sending { get; init; }

    /// <summary>Bound on clock stops, so a journey that never rests cannot hang the simulator.</summary>
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>
    /// Wall-clock budget of the whole run, checked at every clock stop (not by a timer callback, which a busy thread
    /// pool can delay past the end of the run); over it the run ends with <see cref="SimulationTimedOutException"/>.
    /// Null: no budget.
    /// </summary>
    public TimeSpan? WallClockLimit { get; init; }
}

/// <summary>The run used up <see cref="SimulationOptions.WallClockLimit"/>.</summary>
public sealed class SimulationTimedOutException(TimeSpan limit)
    : Exception($"the simulation did not finish within {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");

/// <summary>
/// Plays a scenario through the real product on a virtual clock. Each simulation builds its own service container
/// (<see cref="SimulationServices"/>): the engine as the hosts set it up (<see cref="EventIngestService"/>,
/// <see cref="EventRouter"/>, <see cref="LocalRunEngine"/>, <see cref="ActivityExecutor"/>,
/// <see cref="InactivitySweep"/>) and the built-in host's <see cref="JourneyRunner"/>, over fresh in-memory stores and
/// the real Liquid templates, with a <see cref="RecordingEmailSender"/> instead of a provider and a <see cref="SimulationClock"/>
/// instead of the system clock. Nothing it does touches a host's stores, so the host can serve it as an API.
/// </summary>
/// <remarks>
/// The loop, in virtual time: settle the present (<see cref="JourneyRunner.SettleAsync"/>: route every queued event,
/// including the tag events steps raise, and fire every due timer, until nothing is left), then move the clock to whichever comes first of the next
/// scripted event, the next timer of a waiting run (read from the run store) and, for inactivity-triggered journeys,
/// the hour at which the contact becomes inactive (the host sweeps periodically too); stop at the end of
/// <see cref="Scenario.RunFor"/>. A scripted event at the same instant as a timer is routed first.
/// </remarks>
public static class JourneySimulator
{
    public static async Task<SimulationReport> RunAsync(JourneyDefinition journey, Scenario scenario, SimulationOptions options, string? scenarioName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journey);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);

        var zone = ScenarioFile.ZoneOf(scenario);
        var start = scenario.Start;
        var end = ScenarioFile.EndOf(scenario);
        var clock = new SimulationClock(start);
        var emails = new RecordingEmailSender(clock);
        var webhooks = new RecordingWebhookClient(clock, scenario.Webhooks);
        await using var services = SimulationServices.Build(clock, emails, webhooks, options.TemplatesDirectory, options.Sending);

        var journeyStore = services.GetRequiredService<IJourneyStore>();
        var catalog = services.GetRequiredService<IJourneyCatalog>();
        var published = await journeyStore.PublishAsync(journey with { Version = null }, cancellationToken);
        catalog.Invalidate();

        var contactId = scenario.Contact.Id;
        await services.GetRequiredService<ContactService>().UpsertAsync(contactId, PatchOf(scenario.Contact), cancellationToken);

        var pending = new Queue<(DateTimeOffset At, ContactEvent Event)>(scenario.Events
            .Select((e, i) => (At: ResolveEventTime(scenario, e, zone), Event: e, Index: i))
            .OrderBy(e => e.At)
            .ThenBy(e => e.Index)
            .Select(e => (e.At, new ContactEvent
            {
                Id = e.Event.Id ?? $"scenario-{(e.Index + 1).ToString(CultureInfo.InvariantCulture)}",
                ContactId = contactId,
                Name = e.Event.Name,
                Data = e.Event.Data is { ValueKind: System.Text.Json.JsonValueKind.Object } d ? d.Clone() : null,
                OccurredAt = e.At,
            })));

        var loop = new Loop(services, clock, published, contactId, options.MaxSteps);
        var started = Stopwatch.GetTimestamp();
        string? error = null;
        try
        {
            for (var stops = 0; ; stops++)
            {
                // The stores of a simulation are in memory and rarely look at the token: check it at every stop, so a
                // caller's timeout (the host's simulate endpoint) ends a long run promptly.
                cancellationToken.ThrowIfCancellationRequested();
                if (options.WallClockLimit is { } limit && Stopwatch.GetElapsedTime(started) > limit)
                {
                    throw new SimulationTimedOutException(limit);
                }

                if (stops > options.MaxSteps)
                {
                    throw new SimulationStoppedException($"more than {options.MaxSteps.ToString(CultureInfo.InvariantCulture)} clock stops: the journey never rests");
                }

                await loop.SettleAsync(cancellationToken);
                DateTimeOffset? next = pending.Count > 0 ? pending.Peek().At : null;
                next = Earliest(next, await loop.NextTimerAsync(cancellationToken));
                next = Earliest(next, await loop.NextInactivityAsync(cancellationToken));
                if (next is not { } when || when > end)
                {
                    break;
                }

                clock.MoveTo(when);
                while (pending.Count > 0 && pending.Peek().At <= clock.GetUtcNow())
                {
                    await loop.IngestAsync(pending.Dequeue().Event, cancellationToken);
                }

                await loop.SweepAsync(cancellationToken);
            }
        }
        catch (SimulationStoppedException ex)
        {
            error = ex.Message;
        }

        var report = await ReportAsync(services, scenario, scenarioName, published, zone, start, error is null ? end : clock.GetUtcNow(), emails, webhooks, error, cancellationToken);
        return report with { Expectations = ExpectationChecker.Check(scenario, report) };
    }

    /// <summary>Loads the journey JSON named by a path.</summary>
    public static async Task<JourneyDefinition> LoadJourneyAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return Core.Serialization.JourneyJson.DeserializeJourney(await File.ReadAllTextAsync(path, cancellationToken));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new ScenarioException($"cannot read the journey {path}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The templates folder for a journey file: a <c>templates</c> folder next to it or above it (the repository
    /// layout keeps journeys/ and templates/ side by side).
    /// </summary>
    public static string? FindTemplates(string journeyPath)
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(journeyPath))!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "templates");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static DateTimeOffset ResolveEventTime(Scenario scenario, ScenarioEvent e, TimeZoneInfo zone) =>
        ScenarioFile.TryResolveTime(e.At, scenario.Start, zone, out var at, out var error) ? at : throw new ScenarioException(error ?? "bad time");

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static ContactPatch PatchOf(ScenarioContact contact) => new()
    {
        Email = contact.Email ?? $"{contact.Id}@example.com",
        TimeZone = contact.TimeZone,
        Fields = contact.Fields,
        Tags = contact.Tags,
        MarketingConsent = contact.MarketingConsent,
        ConsentSource = "scenario",
    };

    private static async Task<SimulationReport> ReportAsync(
        ServiceProvider services,
        Scenario scenario,
        string? scenarioName,
        JourneyDefinition journey,
        TimeZoneInfo zone,
        DateTimeOffset start,
        DateTimeOffset end,
        RecordingEmailSender emails,
        RecordingWebhookClient webhooks,
        string? error,
        CancellationToken cancellationToken)
    {
        var contactId = scenario.Contact.Id;
        var timeline = await services.GetRequiredService<ITimelineStore>().ListAsync(contactId, int.MaxValue, cancellationToken);
        var entries = Order(timeline.Reverse())
            .Select(e => new SimulationEntry(e.At, SimulationReportText.Short(e.At, zone), e.Kind, e.StepId, e.Message))
            .ToList();

        var contact = await services.GetRequiredService<IContactStore>().GetAsync(contactId, cancellationToken);
        var runs = await services.GetRequiredService<IRunStore>().ListForContactAsync(contactId, cancellationToken);
        var counters = await services.GetRequiredService<IStatsStore>().GetAsync(journey.Id, cancellationToken);
        return new SimulationReport
        {
            Scenario = scenarioName ?? scenario.Name ?? "(inline)",
            JourneyId = journey.Id,
            JourneyName = journey.Name,
            Version = journey.Version ?? 1,
            ContactId = contactId,
            TimeZone = zone.Id,
            Start = start,
            End = end,
            Timeline = entries,
            Emails = emails.Sent.Select(e => new SimulatedEmail(
                e.At,
                SimulationReportText.Short(e.At, zone),
                e.StepId,
                e.StepId is { } step && journey.FindStep(step) is EmailStep es ? es.Template : null,
                e.Message.To.Address,
                e.Message.Subject,
                e.Message.Html,
                e.Message.Text,
                e.Message.Headers)).ToList(),
            Webhooks = webhooks.Calls.Select(c => new SimulatedWebhookCall(c.At, SimulationReportText.Short(c.At, zone), c.StepId, c.Call.Method, c.Call.Url.ToString(), c.Call.Body, c.Status)).ToList(),
            Runs = runs
                .Where(r => r.State.JourneyId == journey.Id)
                .OrderBy(r => r.State.StartedAt)
                .Select(r => new SimulatedRun(r.State.RunId, r.State.Key, r.State.Status, r.State.StepId, r.State.Completion, r.State.CompletionDetail, r.State.StartedAt, r.State.EndedAt, r.State.GoalReachedAt))
                .ToList(),
            Tags = contact?.Tags.Order(StringComparer.OrdinalIgnoreCase).ToList() ?? [],
            Fields = contact?.Fields ?? new Dictionary<string, System.Text.Json.JsonElement>(),
            MarketingConsent = contact?.Consent.Marketing ?? false,
            Counters = counters,
            Error = error,
        };
    }

    /// <summary>
    /// Puts the timeline in reading order. Within one instant: events first, then the machine's decisions in the order
    /// it made them, each effect (the email sent, the tags changed) right after the last decision of its step. The
    /// stores keep effects and decisions apart (effects are written while the run is driven, decisions when it rests),
    /// so their raw order would show an email before the decision to send it.
    /// </summary>
    private static List<TimelineEntry> Order(IEnumerable<TimelineEntry> appended)
    {
        var result = new List<TimelineEntry>();
        foreach (var group in appended.GroupBy(e => e.At).OrderBy(g => g.Key))
        {
            var ordered = group.Where(e => e.Kind == "event").Concat(group.Where(e => e.Kind == "journey")).ToList();
            foreach (var effect in group.Where(e => e.Kind is not "event" and not "journey"))
            {
                var after = ordered.FindLastIndex(e => e.Kind == "journey" && e.StepId is not null && e.StepId == effect.StepId);
                while (after >= 0 && after + 1 < ordered.Count && ordered[after + 1].Kind is not "event" and not "journey" && ordered[after + 1].StepId == effect.StepId)
                {
                    after++;
                }

                ordered.Insert(after < 0 ? ordered.Count : after + 1, effect);
            }

            result.AddRange(ordered);
        }

        return result;
    }

    /// <summary>The simulation cannot go on (a step failed, the journey never rests); the report says why.</summary>
    private sealed class SimulationStoppedException(string message) : Exception(message);

    /// <summary>The moving parts of one simulation: the queue drain, the timer loop and the inactivity sweep.</summary>
    private sealed class Loop(ServiceProvider services, SimulationClock clock, JourneyDefinition journey, string contactId, int maxSteps)
    {
        private readonly EventIngestService _ingest = services.GetRequiredService<EventIngestService>();
        private readonly JourneyRunner _runner = services.GetRequiredService<JourneyRunner>();
        private readonly IRunStore _runs = services.GetRequiredService<IRunStore>();
        private readonly IContactStore _contacts = services.GetRequiredService<IContactStore>();
        private readonly InactivitySweep _sweep = services.GetRequiredService<InactivitySweep>();
        private readonly IsoDuration? _inactiveFor = IsoDuration.TryParse(journey.Trigger.InactiveFor, out var d, out _) ? d : null;

        public async Task IngestAsync(ContactEvent contactEvent, CancellationToken cancellationToken)
        {
            var submission = new EventSubmission
            {
                Id = contactEvent.Id,
                ContactId = contactEvent.ContactId,
                Name = contactEvent.Name,
                Data = contactEvent.Data,
                OccurredAt = contactEvent.OccurredAt,
            };
            try
            {
                await _ingest.IngestAsync([submission], idempotencyKey: null, isBatch: false, cancellationToken);
            }
            catch (RequestValidationException ex)
            {
                throw new SimulationStoppedException($"the event {contactEvent.Name} was refused: {ex.Message}");
            }
        }

        /// <summary>
        /// Routes queued events and fires due timers until neither is left at this instant, through the runner the
        /// built-in host runs; a failure stops the simulation, as nothing retries before the clock moves.
        /// </summary>
        public async Task SettleAsync(CancellationToken cancellationToken)
        {
            var (pass, rested) = await _runner.SettleAsync(maxSteps, cancellationToken);
            if (pass.Failures is [var failure, ..])
            {
                throw new SimulationStoppedException($"{failure.Input} failed at {clock.GetUtcNow():O}: {failure.Exception.Message}");
            }

            if (!rested)
            {
                throw new SimulationStoppedException($"the journey keeps working at {clock.GetUtcNow():O} without resting");
            }
        }

        public async Task<DateTimeOffset?> NextTimerAsync(CancellationToken cancellationToken)
        {
            DateTimeOffset? next = null;
            await foreach (var run in _runs.ListActiveForJourneyAsync(journey.Id, cancellationToken))
            {
                if (run is { Status: RunStatus.Waiting, Wait.Until: { } until } && (next is null || until < next))
                {
                    next = until;
                }
            }

            // A timer already due is fired by the next settle; never move the clock backwards for it.
            return next is { } n && n < clock.GetUtcNow() ? clock.GetUtcNow() : next;
        }

        /// <summary>For an inactivity trigger: the first whole hour after the contact's quiet period ends, if still ahead.</summary>
        public async Task<DateTimeOffset?> NextInactivityAsync(CancellationToken cancellationToken)
        {
            if (_inactiveFor is not { } quiet || await _contacts.GetAsync(contactId, cancellationToken) is not { } contact)
            {
                return null;
            }

            var inactiveAt = quiet.AddTo(contact.LastActivityAt ?? contact.CreatedAt, TimeZoneInfo.Utc);
            var hour = new DateTimeOffset(inactiveAt.UtcDateTime.Date.AddHours(inactiveAt.UtcDateTime.Hour), TimeSpan.Zero).AddHours(1);
            return hour > clock.GetUtcNow() ? hour : null;
        }

        public async Task SweepAsync(CancellationToken cancellationToken)
        {
            if (_inactiveFor is not null)
            {
                await _sweep.SweepAsync(cancellationToken);
            }
        }
    }
}

using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>Settings of <see cref="StatsReconciler"/> (configuration section <c>Storage:StatsReconcile</c>).</summary>
public sealed class StatsReconcileOptions
{
    public const string SectionName = "Storage:StatsReconcile";

    /// <summary>Reconcile the counters from the runs and the ledger once after each start. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long after reading the facts the counters are read and raised. It must exceed what a live instance takes to
    /// write the counters of a fact it has just stored (<c>Storage:StatsBuffer:FlushInterval</c> plus one write), or
    /// such a fact would be counted twice. Default 10 s.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often to reconcile again while running; zero reconciles only at start. Default 1 hour. Besides crashes, a
    /// commit whose answer was lost (a timeout under load, applied but reported failed) is re-applied as already done
    /// and counted by nobody; the next reconcile counts it.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>What one reconcile found and changed: counts added, and how far the gauges moved (in absolute value).</summary>
public sealed record StatsReconcileResult(int Journeys, long Runs, long LedgerRows, long Added, long GaugesMoved = 0);

/// <summary>
/// Makes the counters agree with the facts after a crash. A process killed without shutting down (kill -9, OOM, a
/// lost VM) can have stored a run, a ledger row, a timeline entry or an engagement mark whose counter increment it
/// never wrote: the increment comes after the commit, and <see cref="BufferedStatsStore"/> holds up to a flush
/// interval of them in memory. So after each start (and every <see cref="StatsReconcileOptions.Interval"/>) the hosts
/// count the facts and raise every counter that is below its count (<see cref="TableStatsStore.RaiseToAsync"/>), and
/// set the <see cref="StatCounters.Waiting"/> gauge of every step to the runs at it.
/// </summary>
/// <remarks>
/// <para>Counters are only ever raised, never lowered: erasing a contact deletes its runs, ledger rows and timeline
/// but keeps the counts (docs/operations.md), so a counter above its facts is history, not an error. The gauge is
/// the exception: it says where runs are now, so it follows the runs down as well as up.</para>
/// <para>Why it cannot count a fact twice while other instances (and this one) keep working: the facts are read
/// first, then after <see cref="StatsReconcileOptions.SettleTime"/> (longer than any live writer's flush) this process's
/// own buffer is flushed and the counters are read. Every fact in the first read that a live process counts has been
/// counted by then, so the only facts still missing are the ones whose process died. A fact stored after the first
/// read is not in it and is left to its writer. The gauge is read just before the facts and moved by the difference
/// (one atomic increment per journey): exact when nothing runs meanwhile (the restart after a crash); runs that move
/// while the scan reads them can leave it off by those moves until the next reconcile.</para>
/// <para>Every counter has its fact:</para>
/// <list type="bullet">
/// <item>runs: per journey <c>entered</c>; <c>finished</c>, <c>exited</c>, <c>cancelled</c>, <c>failed</c> and
/// <c>unsubscribed</c> (completed runs by reason); <c>goal</c> (runs with a goal time); per step the gauge (active
/// runs by the step they are at);</item>
/// <item>the ledger: per email step <c>sent</c>, <c>skipped</c>, <c>delivered</c> and <c>bounced</c> (email rows by
/// status);</item>
/// <item>the engagement marks of each contact (row <c>e</c>: the first open and first click of each message) joined to
/// the ledger row of that message: per email step <c>opened</c> and <c>clicked</c>;</item>
/// <item>the timeline: per step <c>visited</c>, <c>goal</c>, <c>exited</c> and the exits by reason, which
/// <see cref="RunBookkeeping"/> lists in the data of the last timeline entry of the transition that counted them.
/// Entries written before that list existed count nothing (their counters stay as they are).</item>
/// </list>
/// <para>The marks keep the last <see cref="TableProcessedEventStore.MaxRemembered"/> ids of a contact: an open
/// forgotten before any reconcile ran stays as counted (never lowered).</para>
/// <para>Cost: one scan of the <c>Contacts</c> table from the marks to the end of the timelines per reconcile (about
/// one request per 1,000 rows), the timeline rows included, plus one query of the gauge rows of <c>Stats</c>.</para>
/// </remarks>
public sealed class StatsReconciler(StorageTables tables, TableStatsStore stats, TimeProvider time, BufferedStatsStore? buffer = null, ILogger<StatsReconciler>? logger = null)
{
    private const string OpenMark = "acs-open:";
    private const string ClickMark = "acs-click:";
    private static readonly byte[] StatsDataMarker = Encoding.UTF8.GetBytes("\"" + RunBookkeeping.StatsDataProperty + "\"");

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Counts the facts, sets the gauges, waits <paramref name="settle"/>, then raises every counter below its count.</summary>
    public async Task<StatsReconcileResult> ReconcileAsync(TimeSpan settle, CancellationToken cancellationToken = default)
    {
        if (buffer is not null)
        {
            // The gauge is compared with the runs as they are stored now: what this process holds goes first.
            await buffer.FlushAsync(cancellationToken);
        }

        var gauges = await stats.ListCounterAsync(StatCounters.Waiting, cancellationToken);
        var facts = await CountFactsAsync(cancellationToken);
        var moved = await SetGaugesAsync(gauges, facts.Gauges, cancellationToken);
        if (settle > TimeSpan.Zero)
        {
            await Task.Delay(settle, time, cancellationToken);
        }

        if (buffer is not null)
        {
            // Counters this process still holds for facts of the first read go to storage before they are compared.
            await buffer.FlushAsync(cancellationToken);
        }

        long added = 0;
        foreach (var (journeyId, counters) in facts.Counters)
        {
            foreach (var chunk in counters.Select(c => new StatDelta(c.Key.Step, c.Key.Counter, c.Value)).Chunk(BufferedStatsStore.MaxCountersPerWrite))
            {
                added += await stats.RaiseToAsync(journeyId, chunk, cancellationToken);
            }
        }

        var result = new StatsReconcileResult(facts.Counters.Count, facts.Runs, facts.LedgerRows, added, moved);
        if (added > 0 || moved > 0)
        {
            _logger.LogWarning(
                "Stats reconciled from {Runs} runs and {LedgerRows} ledger rows of {Journeys} journeys: {Added} counts were missing (a process stopped without writing them) and were added; the waiting gauges moved by {Moved}",
                result.Runs, result.LedgerRows, result.Journeys, added, moved);
        }
        else
        {
            _logger.LogInformation(
                "Stats reconciled from {Runs} runs and {LedgerRows} ledger rows of {Journeys} journeys: no count was missing",
                result.Runs, result.LedgerRows, result.Journeys);
        }

        return result;
    }

    /// <summary>The counters the stored facts imply, per journey: (step, counter) to count; step "" is the journey.</summary>
    public async Task<StatsFacts> CountFactsAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ContactRows.Table, cancellationToken);
        var counters = new Dictionary<string, Dictionary<(string Step, string Counter), long>>(StringComparer.Ordinal);
        var gauges = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        var messages = new Dictionary<(string Partition, string MessageId), (string JourneyId, string StepId)>();
        var marks = new List<(string Partition, string MessageId, string Counter)>();
        long runs = 0;
        long ledgerRows = 0;

        void Count(string journeyId, string step, string counter)
        {
            if (!counters.TryGetValue(journeyId, out var journey))
            {
                journey = [];
                counters[journeyId] = journey;
            }

            journey[(step, counter)] = journey.GetValueOrDefault((step, counter)) + 1;
        }

        // Marks (e), ledger rows (l|...), runs (r|...) and the timeline (t|...) of every contact: one range of row
        // keys, read across partitions.
        var filter = TableClient.CreateQueryFilter($"RowKey ge {ContactRows.Processed} and RowKey lt {ContactRows.End(ContactRows.TimelinePrefix)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (row.RowKey == ContactRows.Processed)
            {
                ReadMarks(row, marks);
                continue;
            }

            if (row.RowKey.StartsWith(ContactRows.TimelinePrefix, StringComparison.Ordinal))
            {
                foreach (var (journeyId, count) in ReadTimelineCounts(row))
                {
                    Count(journeyId, count.Step, count.Counter);
                }

                continue;
            }

            if (row.GetString("JourneyId") is not { Length: > 0 } journey)
            {
                continue;
            }

            if (row.RowKey.StartsWith(ContactRows.RunPrefix, StringComparison.Ordinal))
            {
                runs++;
                var state = JourneyJson.DeserializeState(Encoding.UTF8.GetString(TablePayload.Read(row)));
                Count(journey, string.Empty, StatCounters.Entered);
                if (state.GoalReachedAt is not null)
                {
                    Count(journey, string.Empty, StatCounters.Goal);
                }

                if (state is { Status: RunStatus.Completed, Completion: { } reason })
                {
                    Count(journey, string.Empty, RunBookkeeping.CounterFor(reason));
                    if (RunBookkeeping.IsUnsubscribe(reason, state.CompletionDetail))
                    {
                        Count(journey, string.Empty, StatCounters.Unsubscribed);
                    }
                }
                else if (RunBookkeeping.GaugeStep(state) is { } at)
                {
                    if (!gauges.TryGetValue(journey, out var steps))
                    {
                        steps = new Dictionary<string, long>(StringComparer.Ordinal);
                        gauges[journey] = steps;
                    }

                    steps[at] = steps.GetValueOrDefault(at) + 1;
                }
            }
            else if (row.RowKey.StartsWith(ContactRows.LedgerPrefix, StringComparison.Ordinal)
                && row.GetString("Kind") == "email"
                && row.GetString("StepId") is { Length: > 0 } stepId
                && Enum.TryParse<LedgerStatus>(row.GetString("Status"), out var status))
            {
                ledgerRows++;
                if (row.GetString("MessageId") is { Length: > 0 } messageId)
                {
                    messages[(row.PartitionKey, messageId)] = (journey, stepId);
                }

                switch (status)
                {
                    case LedgerStatus.Done:
                        Count(journey, stepId, StatCounters.EmailsSent);
                        break;
                    case LedgerStatus.Delivered:
                        Count(journey, stepId, StatCounters.EmailsSent);
                        Count(journey, stepId, StatCounters.Delivered);
                        break;
                    case LedgerStatus.Bounced:
                        Count(journey, stepId, StatCounters.EmailsSent);
                        Count(journey, stepId, StatCounters.Bounced);
                        break;
                    case LedgerStatus.Skipped or LedgerStatus.Failed:
                        Count(journey, stepId, StatCounters.EmailsSkipped);
                        break;
                }
            }
        }

        // An open or click counts for the step of the email it reports on (the contact's ledger row of that message).
        foreach (var (partition, messageId, counter) in marks)
        {
            if (messages.TryGetValue((partition, messageId), out var email))
            {
                Count(email.JourneyId, email.StepId, counter);
            }
        }

        return new StatsFacts(
            counters.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<(string Step, string Counter), long>)c.Value, StringComparer.Ordinal),
            runs,
            ledgerRows,
            gauges.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.Value, StringComparer.Ordinal));
    }

    /// <summary>Moves each journey's gauges from what they read to what the runs say; returns the sum of the moves.</summary>
    private async Task<long> SetGaugesAsync(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> read,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> facts,
        CancellationToken cancellationToken)
    {
        long moved = 0;
        foreach (var journeyId in read.Keys.Union(facts.Keys, StringComparer.Ordinal))
        {
            var stored = read.GetValueOrDefault(journeyId) ?? new Dictionary<string, long>();
            var actual = facts.GetValueOrDefault(journeyId) ?? new Dictionary<string, long>();
            var deltas = stored.Keys.Union(actual.Keys, StringComparer.Ordinal)
                .Select(step => new StatDelta(step, StatCounters.Waiting, actual.GetValueOrDefault(step) - stored.GetValueOrDefault(step)))
                .Where(d => d.Delta != 0)
                .ToList();
            foreach (var chunk in deltas.Chunk(BufferedStatsStore.MaxCountersPerWrite))
            {
                await stats.IncrementManyAsync(journeyId, chunk, cancellationToken);
                moved += chunk.Sum(d => Math.Abs(d.Delta));
            }
        }

        return moved;
    }

    /// <summary>The first open and first click of each message the contact's mark row remembers.</summary>
    private static void ReadMarks(TableEntity row, List<(string Partition, string MessageId, string Counter)> marks)
    {
        using var document = JsonDocument.Parse(TablePayload.Read(row));
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var mark in document.RootElement.EnumerateArray())
        {
            if (mark.ValueKind == JsonValueKind.Object && mark.TryGetProperty("id", out var id) && id.GetString() is { } text)
            {
                if (text.StartsWith(OpenMark, StringComparison.Ordinal))
                {
                    marks.Add((row.PartitionKey, text[OpenMark.Length..], StatCounters.Opened));
                }
                else if (text.StartsWith(ClickMark, StringComparison.Ordinal))
                {
                    marks.Add((row.PartitionKey, text[ClickMark.Length..], StatCounters.Clicked));
                }
            }
        }
    }

    /// <summary>The per-step counts a timeline entry lists (<see cref="RunBookkeeping.StatsDataProperty"/>), with its journey.</summary>
    private static IEnumerable<(string JourneyId, StepCount Count)> ReadTimelineCounts(TableEntity row)
    {
        if (row.GetString("Kind") != "journey")
        {
            return [];
        }

        var payload = TablePayload.Read(row);
        if (payload.AsSpan().IndexOf(StatsDataMarker) < 0)
        {
            // Most entries list no count: they are not parsed.
            return [];
        }

        var entry = JsonSerializer.Deserialize<TimelineEntry>(payload, JourneyJson.Options);
        return entry?.JourneyId is { Length: > 0 } journeyId
            ? StepCountJson.Read(entry.Data).Select(c => (journeyId, c))
            : [];
    }
}

/// <summary>
/// The counters implied by the stored facts, how many runs and ledger rows were read, and the gauge the runs imply
/// (journey to step to the active runs at it).
/// </summary>
public sealed record StatsFacts(
    IReadOnlyDictionary<string, IReadOnlyDictionary<(string Step, string Counter), long>> Counters,
    long Runs,
    long LedgerRows,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Gauges);

using System.Text;
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

/// <summary>What one reconcile found and changed.</summary>
public sealed record StatsReconcileResult(int Journeys, long Runs, long LedgerRows, long Added);

/// <summary>
/// Makes the counters agree with the facts after a crash. A process killed without shutting down (kill -9, OOM, a
/// lost VM) can have stored a run or a ledger row whose counter increment it never wrote: the increment comes after
/// the commit, and <see cref="BufferedStatsStore"/> holds up to a flush interval of them in memory. So after each
/// start (and every <see cref="StatsReconcileOptions.Interval"/>) the hosts count the facts (every run of a journey, its completions by reason, the email rows of its ledger
/// by step and status) and raise every counter that is below its count (<see cref="TableStatsStore.RaiseToAsync"/>).
/// </summary>
/// <remarks>
/// <para>Counters are only ever raised, never lowered: erasing a contact deletes its runs and ledger rows but keeps
/// the counts (docs/operations.md), so a counter above its facts is history, not an error.</para>
/// <para>Why it cannot count a fact twice while other instances (and this one) keep working: the facts are read
/// first, then after <see cref="StatsReconcileOptions.SettleTime"/> (longer than any live writer's flush) this process's
/// own buffer is flushed and the counters are read. Every fact in the first read that a live process counts has been
/// counted by then, so the only facts still missing are the ones whose process died. A fact stored after the first
/// read is not in it and is left to its writer.</para>
/// <para>Reconciled: per journey <c>entered</c> (runs) and <c>finished</c>, <c>exited</c>, <c>cancelled</c>,
/// <c>failed</c> (completed runs by reason); per email step <c>sent</c>, <c>skipped</c>, <c>delivered</c> and
/// <c>bounced</c> (ledger rows by status). Not reconciled, because no stored fact records them once the run has moved
/// on: <c>visited</c>, <c>goal</c>, <c>opened</c>, <c>clicked</c> and the per-step completion counters.</para>
/// <para>Cost: one scan of the run and ledger rows of the <c>Contacts</c> table per reconcile (about one request per
/// 1,000 rows of that table; Table Storage reads the timeline rows it skips as well).</para>
/// </remarks>
public sealed class StatsReconciler(StorageTables tables, TableStatsStore stats, TimeProvider time, BufferedStatsStore? buffer = null, ILogger<StatsReconciler>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Counts the facts, waits <paramref name="settle"/>, then raises every counter below its count.</summary>
    public async Task<StatsReconcileResult> ReconcileAsync(TimeSpan settle, CancellationToken cancellationToken = default)
    {
        var facts = await CountFactsAsync(cancellationToken);
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

        var result = new StatsReconcileResult(facts.Counters.Count, facts.Runs, facts.LedgerRows, added);
        if (added > 0)
        {
            _logger.LogWarning(
                "Stats reconciled from {Runs} runs and {LedgerRows} ledger rows of {Journeys} journeys: {Added} counts were missing (a process stopped without writing them) and were added",
                result.Runs, result.LedgerRows, result.Journeys, added);
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

        // Ledger rows (l|...) and runs (r|...) of every contact: one range of row keys, read across partitions.
        var filter = TableClient.CreateQueryFilter($"RowKey ge {ContactRows.LedgerPrefix} and RowKey lt {ContactRows.End(ContactRows.RunPrefix)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (row.GetString("JourneyId") is not { Length: > 0 } journeyId)
            {
                continue;
            }

            if (row.RowKey.StartsWith(ContactRows.RunPrefix, StringComparison.Ordinal))
            {
                runs++;
                Count(journeyId, string.Empty, StatCounters.Entered);
                if (row.GetString("Status") == "completed")
                {
                    var state = JourneyJson.DeserializeState(Encoding.UTF8.GetString(TablePayload.Read(row)));
                    if (state.Completion is { } reason)
                    {
                        Count(journeyId, string.Empty, RunBookkeeping.CounterFor(reason));
                    }
                }
            }
            else if (row.RowKey.StartsWith(ContactRows.LedgerPrefix, StringComparison.Ordinal)
                && row.GetString("Kind") == "email"
                && row.GetString("StepId") is { Length: > 0 } stepId
                && Enum.TryParse<LedgerStatus>(row.GetString("Status"), out var status))
            {
                ledgerRows++;
                switch (status)
                {
                    case LedgerStatus.Done:
                        Count(journeyId, stepId, StatCounters.EmailsSent);
                        break;
                    case LedgerStatus.Delivered:
                        Count(journeyId, stepId, StatCounters.EmailsSent);
                        Count(journeyId, stepId, StatCounters.Delivered);
                        break;
                    case LedgerStatus.Bounced:
                        Count(journeyId, stepId, StatCounters.EmailsSent);
                        Count(journeyId, stepId, StatCounters.Bounced);
                        break;
                    case LedgerStatus.Skipped or LedgerStatus.Failed:
                        Count(journeyId, stepId, StatCounters.EmailsSkipped);
                        break;
                }
            }
        }

        return new StatsFacts(
            counters.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<(string Step, string Counter), long>)c.Value, StringComparer.Ordinal),
            runs,
            ledgerRows);
    }
}

/// <summary>The counters implied by the stored runs and ledger rows, and how many of each were read.</summary>
public sealed record StatsFacts(
    IReadOnlyDictionary<string, IReadOnlyDictionary<(string Step, string Counter), long>> Counters,
    long Runs,
    long LedgerRows);

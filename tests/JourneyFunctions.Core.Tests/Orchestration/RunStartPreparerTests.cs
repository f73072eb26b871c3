using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Memory;
using JourneyFunctions.Core.Tests.Scenarios;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Core.Tests.Orchestration;

public sealed class RunStartPreparerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly MemoryRunStore _runs = new();
    private readonly MemoryTimelineStore _timeline = new();
    private readonly MemoryStatsStore _stats = new();
    private readonly FakeTimeProvider _time = new(Now);

    private RunBookkeeping Bookkeeping => new(_timeline, _stats, ImmediateContactWork.Instance);

    [Fact]
    public async Task PrepareAsync_NewRun_WritesTheRowBeforeTheOrchestrationRuns()
    {
        var request = Request();

        var input = await new RunStartPreparer(_runs, ImmediateContactWork.Instance, Bookkeeping, _time).PrepareAsync(request);

        var row = await _runs.GetAsync("abandoned-cart:ana:k=c-1");
        Assert.NotNull(row);
        Assert.Equal(RunStatus.Waiting, row.State.Status);
        Assert.Single(await _runs.ListActiveForContactAsync("ana"));
        Assert.Equal(1, await Count("abandoned-cart", null, StatCounters.Entered));
        Assert.Equal(Now, input.Start!.At);
        Assert.Equal(3, input.Version);
    }

    [Fact]
    public async Task PrepareAsync_ThenTheOrchestrationsFirstRecord_CountsTheEntryOnce()
    {
        var request = Request();
        var input = await new RunStartPreparer(_runs, ImmediateContactWork.Instance, Bookkeeping, _time).PrepareAsync(request);
        _time.Advance(TimeSpan.FromSeconds(3));

        // What the orchestration computes from its input, at its own later clock: the same state.
        var first = JourneyMachine.Start(request.Journey, input.Start!.Entry, input.Start.Contact, input.Start.Trigger, input.Start.At);
        var recorded = await new RunRecorder(_runs, ImmediateContactWork.Instance, Bookkeeping, NullLogger<RunRecorder>.Instance).RecordAsync(new RunRecord(null, first.State, [first]));

        Assert.False(recorded);
        Assert.Equal(1, await Count("abandoned-cart", null, StatCounters.Entered));
        Assert.Equal(JourneyJson.SerializeState((await _runs.GetAsync(first.State.RunId))!.State), JourneyJson.SerializeState(first.State));
    }

    [Fact]
    public async Task PrepareAsync_RetryAfterTheRowWasWritten_ReusesItsStartInstant()
    {
        var preparer = new RunStartPreparer(_runs, ImmediateContactWork.Instance, Bookkeeping, _time);
        await preparer.PrepareAsync(Request());
        _time.Advance(TimeSpan.FromMinutes(2));

        var retry = await preparer.PrepareAsync(Request());

        Assert.Equal(Now, retry.Start!.At);
        Assert.Equal(1, await Count("abandoned-cart", null, StatCounters.Entered));
    }

    private StartRunRequest Request()
    {
        var journey = Repo.LoadJourney("abandoned-cart") with { Version = 3 };
        var contact = new Contact { Id = "ana", Email = "ana@example.com", TimeZone = "Europe/Madrid" };
        var trigger = new ContactEvent
        {
            Id = "evt-1",
            ContactId = "ana",
            Name = "cart.updated",
            Data = JsonDocument.Parse("""{"cartId":"c-1"}""").RootElement.Clone(),
            OccurredAt = Now,
        };
        var entry = JourneyMachine.DecideEntry(journey, contact, trigger, null, _time.GetUtcNow());
        return new StartRunRequest(journey, entry, contact, trigger);
    }

    private async Task<long> Count(string journeyId, string? stepId, string counter) =>
        (await _stats.GetAsync(journeyId)).TryGetValue(stepId ?? string.Empty, out var counters) && counters.TryGetValue(counter, out var value) ? value : 0;
}

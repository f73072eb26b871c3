using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Tests.Services;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Core.Tests.Runner;

/// <summary>
/// The one runner the built-in host's loops, the simulator and the load command call, on a fake clock: failures are
/// kept for a retry on the runner's own terms (visibility timeout, poison queue, timer back-off from its options) and
/// reported to the caller instead of thrown.
/// </summary>
public sealed class JourneyRunnerTests
{
    [Fact]
    public async Task PollQueueAsync_RoutingKeepsFailing_RetriedAfterTheVisibilityTimeoutThenPoisonedWithTheReason()
    {
        var email = new FailingEmailSender(failures: int.MaxValue);
        await using var h = new ServiceHarness(email: email, runner: o =>
        {
            o.VisibilityTimeout = TimeSpan.FromMinutes(1);
            o.MaxDequeueCount = 3;
        });
        await h.PublishSamplesAsync("welcome-series");
        await Enqueue(h, "ana", "contact.subscribed");

        var first = await h.Runner.PollQueueAsync();
        Assert.Equal(1, first.Handled);
        var failure = Assert.Single(first.Failures);
        Assert.Equal("routing contact.subscribed", failure.Input);
        Assert.Equal("ana", failure.ContactId);
        Assert.IsType<EmailSendException>(failure.Exception);

        // Invisible until the visibility timeout has passed on the runner's clock.
        Assert.Equal(0, (await h.Runner.PollQueueAsync()).Handled);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await h.Runner.PollQueueAsync()).Failed);
        Assert.Empty(await h.Get<IEventQueue>().PeekPoisonAsync(10));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await h.Runner.PollQueueAsync()).Failed);
        var poisoned = Assert.Single(await h.Get<IEventQueue>().PeekPoisonAsync(10));
        Assert.StartsWith("Failed on delivery 3: EmailSendException", poisoned.Reason, StringComparison.Ordinal);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, (await h.Runner.PollQueueAsync()).Handled);
    }

    [Fact]
    public async Task DrainQueueAsync_OneContactsEmailHangs_OtherContactsOfLaterReceivesAreRoutedMeanwhile()
    {
        var email = new HoldingEmailSender("held@example.com");
        await using var h = new ServiceHarness(email: email, runner: o => o.MaxConcurrency = 4);
        await h.PublishSamplesAsync("welcome-series");
        await Enqueue(h, "held", "contact.subscribed");
        for (var i = 0; i < 60; i++)
        {
            await Enqueue(h, "c" + i, "contact.subscribed");
        }

        var drain = h.Runner.DrainQueueAsync();
        await email.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // A receive takes 32 messages: contacts c40 to c59 came in a later receive than the held one, and get routed
        // while it hangs (a runner that waits for each batch to finish would not receive them before it is released).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!email.Sent.Any(to => int.Parse(to.AsSpan(1, to.IndexOf('@', StringComparison.Ordinal) - 1), System.Globalization.CultureInfo.InvariantCulture) >= 40))
        {
            Assert.True(DateTime.UtcNow < deadline, "no contact of a later receive was routed while one email hung");
            await Task.Delay(20);
        }

        Assert.False(drain.IsCompleted);
        email.Release();
        var pass = await drain.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((61, false), Summary(pass));
        Assert.Equal(61, email.Sent.Count + 1);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await h.Get<IEventQueue>().ReceiveAsync(32, TimeSpan.FromSeconds(30))); // every message deleted
    }

    [Fact]
    public async Task DrainQueueAsync_ManyContactsOnFourWorkers_EachContactsEventsRoutedInQueueOrder()
    {
        var order = new RoutingOrder();
        await using var h = new ServiceHarness(runner: o => o.MaxConcurrency = 4, configure: s => s.AddSingleton<JourneyFunctions.Core.Runner.IRunnerObserver>(order));
        await h.PublishSamplesAsync("abandoned-cart");
        var submissions = new List<EventSubmission>();
        for (var k = 0; k < 6; k++)
        {
            for (var c = 0; c < 40; c++)
            {
                submissions.Add(new EventSubmission
                {
                    Id = $"e-{c}-{k}",
                    ContactId = "c" + c,
                    Name = "cart.updated",
                    Data = System.Text.Json.JsonSerializer.SerializeToElement(ServiceHarness.Cart("cart-" + c)),
                    Contact = ServiceHarness.Ana() with { Email = $"c{c}@example.com" },
                });
            }
        }

        foreach (var chunk in submissions.Chunk(EventIngestService.MaxBatchSize))
        {
            await h.Get<EventIngestService>().IngestAsync(chunk, idempotencyKey: null, isBatch: true);
        }

        var pass = await h.Runner.DrainQueueAsync();

        Assert.Equal((240, false), Summary(pass));
        for (var c = 0; c < 40; c++)
        {
            Assert.Equal(Enumerable.Range(0, 6).Select(k => $"e-{c}-{k}"), order.Of("c" + c));
        }
    }

    [Fact]
    public async Task FireDueTimersAsync_FireFails_TriedAgainAfterTheConfiguredDelayOnly()
    {
        var email = new FailingEmailSender(failures: 1);
        await using var h = new ServiceHarness(email: email, runner: o => o.TimerRetryDelay = TimeSpan.FromMinutes(10));
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());

        h.Time.Advance(TimeSpan.FromMinutes(61));
        var failed = await h.Runner.FireDueTimersAsync();
        Assert.Equal(0, failed.Handled);
        Assert.StartsWith("the timer of run ", Assert.Single(failed.Failures).Input, StringComparison.Ordinal);

        h.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(RunnerPassOf(0), Summary(await h.Runner.FireDueTimersAsync()));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(RunnerPassOf(1), Summary(await h.Runner.FireDueTimersAsync()));
        Assert.Equal("ana@example.com", Assert.Single(email.Sent));
    }

    [Fact]
    public async Task FireDueTimersAsync_FiveRunsWhoseTimerAlwaysFails_OthersStillFireAndTheBadOnesEndFailedAfterMaxAttempts()
    {
        var email = new RecipientFailingEmailSender("bad");
        await using var h = new ServiceHarness(email: email, runner: o =>
        {
            o.TimerBatchSize = 5;
            o.TimerRetryDelay = TimeSpan.FromSeconds(1);
            o.MaxTimerRetryDelay = TimeSpan.FromSeconds(4);
            o.MaxTimerAttempts = 3;
        });
        await h.PublishSamplesAsync("abandoned-cart");
        for (var i = 0; i < 5; i++)
        {
            // The bad runs were created first, so their timers are due first and fill every batch of 5.
            await h.SendAsync("bad" + i, "cart.updated", ServiceHarness.Cart("bad-" + i), ServiceHarness.Ana() with { Email = $"bad{i}@example.com" });
        }

        h.Time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            await h.SendAsync("good" + i, "cart.updated", ServiceHarness.Cart("good-" + i), ServiceHarness.Ana() with { Email = $"good{i}@example.com" });
        }

        h.Time.Advance(TimeSpan.FromMinutes(61));
        var first = await h.Runner.FireDueTimersAsync();
        Assert.Equal(5, first.Failures.Count);
        Assert.All(first.Failures, f => Assert.StartsWith("bad", f.ContactId, StringComparison.Ordinal));

        // The failing runs' due times moved to their next attempt: the next pass, at the same instant, fires the others.
        var second = await h.Runner.FireDueTimersAsync();
        Assert.Equal((5, false), Summary(second));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"good{i}@example.com"), email.Sent.Order(StringComparer.Ordinal));

        for (var pass = 0; pass < 20; pass++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await h.Runner.FireDueTimersAsync();
        }

        Assert.Equal(3 * 5, email.Attempts);
        var runs = h.Get<IRunStore>();
        for (var i = 0; i < 5; i++)
        {
            var run = Assert.Single(await runs.ListForContactAsync("bad" + i)).State;
            Assert.Equal(RunStatus.Completed, run.Status);
            Assert.Equal(CompletionReason.Failed, run.Completion);
            Assert.Contains("its timer failed 3 times: EmailSendException", run.CompletionDetail, StringComparison.Ordinal);
            var timeline = await h.Get<ITimelineStore>().ListAsync("bad" + i);
            Assert.Contains(timeline, e => e.Message.Contains("the run failed: its timer failed 3 times", StringComparison.Ordinal));
        }

        var stats = await h.Get<IStatsStore>().GetAsync("abandoned-cart");
        Assert.Equal(5, stats[""][StatCounters.Failed]);
        Assert.Empty(await runs.ListDueAsync(h.Time.GetUtcNow() + TimeSpan.FromMinutes(1), 10));
    }

    [Fact]
    public async Task FireDueTimersAsync_TheTemplateFailsToRender_OneAttemptAndTheRunEndsFailedWithTheReason()
    {
        var renderer = default(FailingRenderer);
        await using var h = new ServiceHarness(templates: real => renderer = new FailingRenderer(real));
        await h.PublishSamplesAsync("abandoned-cart");
        await h.SendAsync("ana", "cart.updated", ServiceHarness.Cart(), ServiceHarness.Ana());

        h.Time.Advance(TimeSpan.FromMinutes(61));
        var pass = await h.Runner.FireDueTimersAsync();

        Assert.Equal((1, false), Summary(pass));
        Assert.Equal(1, renderer!.Calls);
        Assert.Empty(h.Emails.Sent);
        var run = Assert.Single(await h.Get<IRunStore>().ListForContactAsync("ana")).State;
        Assert.Equal(CompletionReason.Failed, run.Completion);
        Assert.Contains("the email could not be rendered: template \"cart-reminder-1\" failed to render", run.CompletionDetail, StringComparison.Ordinal);
        var timeline = await h.Get<ITimelineStore>().ListAsync("ana");
        Assert.Contains(timeline, e => e.Message.Contains("could not be rendered", StringComparison.Ordinal));
        Assert.Equal(1, (await h.Get<IStatsStore>().GetAsync("abandoned-cart"))[""][StatCounters.Failed]);
        h.Time.Advance(TimeSpan.FromHours(30));
        var (settled, _) = await h.Runner.SettleAsync(maxRounds: 10);
        Assert.False(settled.Failed);
        Assert.Equal(1, renderer.Calls);
    }

    [Fact]
    public async Task SettleAsync_RoutesQueuedEventsAndFiresWhatIsDue_UntilNothingIsLeft()
    {
        await using var h = new ServiceHarness();
        await h.PublishSamplesAsync("abandoned-cart");
        await Enqueue(h, "ana", "cart.updated", ServiceHarness.Cart());
        await Enqueue(h, "bob", "cart.updated", ServiceHarness.Cart("c-2"));

        var (pass, rested) = await h.Runner.SettleAsync(maxRounds: 10);

        Assert.True(rested);
        Assert.False(pass.Failed);
        Assert.Equal(2, pass.Handled);
        Assert.Equal(2, (await h.Get<IRunStore>().ListDueAsync(h.Time.GetUtcNow() + TimeSpan.FromHours(2), 10)).Count);
        h.Time.Advance(TimeSpan.FromHours(2));
        (pass, rested) = await h.Runner.SettleAsync(maxRounds: 10);
        Assert.True(rested);
        Assert.Equal(2, h.Emails.Sent.Count);
    }

    [Fact]
    public async Task SettleAsync_AFailure_EndsTheSettleAndReportsIt()
    {
        await using var h = new ServiceHarness(email: new FailingEmailSender(failures: int.MaxValue));
        await h.PublishSamplesAsync("welcome-series");
        await Enqueue(h, "ana", "contact.subscribed");

        var (pass, rested) = await h.Runner.SettleAsync(maxRounds: 10);

        Assert.True(rested);
        Assert.Equal("routing contact.subscribed", Assert.Single(pass.Failures).Input);
    }

    private static (int Handled, bool Failed) RunnerPassOf(int handled) => (handled, false);

    private static (int Handled, bool Failed) Summary(JourneyFunctions.Core.Runner.RunnerPass pass) => (pass.Handled, pass.Failed);

    private static Task Enqueue(ServiceHarness h, string contactId, string name, object? data = null) =>
        h.Get<EventIngestService>().IngestAsync(
            [new EventSubmission { ContactId = contactId, Name = name, Data = data is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(data), Contact = ServiceHarness.Ana() with { Email = contactId + "@example.com" } }],
            idempotencyKey: null,
            isBatch: false);

    /// <summary>Holds the send to one address until released; records the others.</summary>
    private sealed class HoldingEmailSender(string held) : IEmailSender
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _sent = new();

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> Sent => [.. _sent];

        public void Release() => _release.TrySetResult();

        public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
        {
            if (message.To.Address == held)
            {
                Held.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }
            else
            {
                _sent.Enqueue(message.To.Address);
            }

            return new EmailSendResult("msg-" + message.OperationId, "Succeeded");
        }
    }

    /// <summary>The event ids each contact's messages were routed in.</summary>
    private sealed class RoutingOrder : JourneyFunctions.Core.Runner.IRunnerObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<string>> _routed = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Of(string contactId) => _routed.TryGetValue(contactId, out var ids) ? [.. ids] : [];

        public IDisposable? EventRouting(QueuedEvent message)
        {
            _routed.GetOrAdd(message.Event!.ContactId, _ => new()).Enqueue(message.Event.Id);
            return null;
        }
    }

    /// <summary>An email sender whose first N sends fail as a provider outage would (transient), then succeed.</summary>
    private sealed class FailingEmailSender(int failures) : IEmailSender
    {
        private int _calls;

        public List<string> Sent { get; } = [];

        public Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) <= failures)
            {
                throw new EmailSendException("the provider answered 503", transient: true);
            }

            lock (Sent)
            {
                Sent.Add(message.To.Address);
            }

            return Task.FromResult(new EmailSendResult("ok-" + message.OperationId, "Succeeded"));
        }
    }

    /// <summary>An email sender that refuses, as an outage would (transient), every address starting with a prefix.</summary>
    private sealed class RecipientFailingEmailSender(string prefix) : IEmailSender
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _sent = new();
        private int _attempts;

        public IReadOnlyList<string> Sent => [.. _sent];

        public int Attempts => _attempts;

        public Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
        {
            if (message.To.Address.StartsWith(prefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _attempts);
                throw new EmailSendException("provider unavailable", transient: true);
            }

            _sent.Enqueue(message.To.Address);
            return Task.FromResult(new EmailSendResult("msg-" + message.OperationId, "Succeeded"));
        }
    }

    /// <summary>A renderer whose render fails as a template that cannot format its data would; the catalog is the real one.</summary>
    private sealed class FailingRenderer(ITemplateRenderer real) : ITemplateRenderer
    {
        private int _calls;

        public int Calls => _calls;

        public bool Exists(string template) => real.Exists(template);

        public IReadOnlyList<string> Check(string template, TemplateScope scope) => real.Check(template, scope);

        public Task<RenderedEmail> RenderAsync(string template, TemplateModel model, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            throw new TemplateRenderException($"template \"{template}\" failed to render: the value cannot be formatted") { Permanent = true };
        }
    }
}

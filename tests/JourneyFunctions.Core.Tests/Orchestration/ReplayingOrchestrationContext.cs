using System.Text.Json;
using JourneyFunctions.Core.Orchestration;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Core.Tests.Orchestration;

/// <summary>A call the orchestrator made on the context, with its arguments as JSON (what durable history compares).</summary>
internal abstract record ContextCall;

internal sealed record CallActivity(string Name, string Input) : ContextCall;

internal sealed record CreateTimer(DateTime FireAt) : ContextCall;

internal sealed record WaitForEvent(string Name) : ContextCall;

internal sealed record ContinueAsNew(string Input) : ContextCall;

internal sealed record SetCustomStatus(string Status) : ContextCall;

/// <summary>Something that happened to the orchestration, in the order it happened: durable history.</summary>
internal abstract record HistoryEvent;

internal sealed record ActivityResult(string Name, string? Result, string? Failure) : HistoryEvent;

internal sealed record TimerFiredEvent(int TimerId, DateTime At) : HistoryEvent;

internal sealed record EventRaised(string Name, string Payload, DateTime At) : HistoryEvent;

/// <summary>The orchestrator called the context differently on replay than in the recorded execution.</summary>
internal sealed class NonDeterminismException(string message) : Exception(message);

/// <summary>
/// A fake durable context with the semantics the journey driver relies on, in two modes.
/// <para>Recording: activities run through a handler (results round-trip through JSON with the app's serializer
/// options, as in Durable Functions), scripted external events arrive at their virtual time, timers fire when the
/// virtual clock reaches them, events that arrive with no one waiting are buffered; every completion is appended to
/// the history and every call to the call log.</para>
/// <para>Replaying: no handler and no script; completions come only from the recorded history, and every call must
/// equal the recorded call at the same position, else <see cref="NonDeterminismException"/>. A call that needs a
/// completion the history does not have in that place fails the same way.</para>
/// Run the orchestrator through <see cref="Run{T}"/>: it executes on one thread and completes one pending task at a
/// time, like the durable dispatcher.
/// </summary>
internal sealed class ReplayingOrchestrationContext : IOrchestrationContextPort
{
    private readonly Func<string, object, object?>? _activities;
    private readonly List<(DateTime At, string Name, object Payload)> _script;
    private readonly IReadOnlyList<HistoryEvent>? _recordedHistory;
    private readonly IReadOnlyList<ContextCall>? _recordedCalls;
    private readonly List<(int Id, DateTime FireAt, TaskCompletionSource Completion)> _timers = [];
    private readonly List<(string Name, Action<string> Complete, Action Cancel)> _waiters = [];
    private readonly List<(string Name, string Payload, DateTime At)> _buffered = [];
    private int _historyIndex;
    private int _timerCount;

    private ReplayingOrchestrationContext(string instanceId, DateTime start, Func<string, object, object?>? activities, IEnumerable<(DateTime, string, object)> script, IReadOnlyList<HistoryEvent>? history, IReadOnlyList<ContextCall>? calls)
    {
        InstanceId = instanceId;
        StartedAt = start;
        CurrentUtcDateTime = start;
        _activities = activities;
        _script = script.OrderBy(s => s.Item1).ToList();
        _recordedHistory = history;
        _recordedCalls = calls;
    }

    public string InstanceId { get; }

    public DateTime StartedAt { get; }

    public DateTime CurrentUtcDateTime { get; private set; }

    public bool IsReplaying => _recordedHistory is not null && _historyIndex < _recordedHistory.Count;

    public List<ContextCall> Calls { get; } = [];

    public List<HistoryEvent> History { get; } = [];

    public List<DateTime> CancelledTimers { get; } = [];

    public List<string> Logs { get; } = [];

    public string? ContinuedAsNewWith { get; private set; }

    public string? CustomStatus { get; private set; }

    /// <summary>True when a replay consumed every recorded history event and made every recorded call.</summary>
    public bool ReplayedEverything => _recordedHistory is not null && _historyIndex == _recordedHistory.Count && Calls.Count == _recordedCalls!.Count;

    public static ReplayingOrchestrationContext Record(string instanceId, DateTime start, Func<string, object, object?> activities, params (DateTime At, string Name, object Payload)[] script) =>
        new(instanceId, start, activities, script, null, null);

    public static ReplayingOrchestrationContext Replay(ReplayingOrchestrationContext recorded) =>
        new(recorded.InstanceId, recorded.StartedAt, null, [], recorded.History.ToList(), recorded.Calls.ToList());

    public static string Json(object? value) =>
        value is null ? "null" : JsonSerializer.Serialize(value, value.GetType(), OrchestrationJson.Options);

    public Task<TResult> CallActivityAsync<TResult>(string name, object input)
    {
        Called(new CallActivity(name, Json(input)));
        ActivityResult result;
        if (_recordedHistory is null)
        {
            // Inputs reach the activity through the serializer, as in the real worker.
            var received = JsonSerializer.Deserialize(Json(input), input.GetType(), OrchestrationJson.Options)!;
            try
            {
                var output = _activities!(name, received);
                result = new ActivityResult(name, JsonSerializer.Serialize(output, typeof(TResult), OrchestrationJson.Options), null);
            }
            catch (ActivityFailedException e)
            {
                result = new ActivityResult(name, null, e.Message);
            }

            History.Add(result);
        }
        else
        {
            result = NextHistory<ActivityResult>($"the result of activity {name}");
            if (result.Name != name)
            {
                throw NonDeterminism($"history has the result of activity {result.Name} where the orchestrator called {name}");
            }
        }

        return result.Failure is { } failure
            ? Task.FromException<TResult>(new ActivityFailedException(failure))
            : Task.FromResult(JsonSerializer.Deserialize<TResult>(result.Result!, OrchestrationJson.Options)!);
    }

    public Task CreateTimer(DateTime fireAtUtc, CancellationToken cancellationToken)
    {
        Called(new CreateTimer(fireAtUtc));
        var id = ++_timerCount;
        var completion = new TaskCompletionSource();
        var entry = (id, fireAtUtc, completion);
        _timers.Add(entry);
        cancellationToken.Register(() =>
        {
            if (_timers.Remove(entry))
            {
                CancelledTimers.Add(fireAtUtc);
                completion.TrySetCanceled(cancellationToken);
            }
        });
        return completion.Task;
    }

    public Task<T> WaitForExternalEvent<T>(string name, CancellationToken cancellationToken)
    {
        Called(new WaitForEvent(name));
        var completion = new TaskCompletionSource<T>();
        (string, Action<string>, Action) waiter = default;
        waiter = (name, payload => completion.TrySetResult(JsonSerializer.Deserialize<T>(payload, OrchestrationJson.Options)!), () => completion.TrySetCanceled(cancellationToken));
        _waiters.Add(waiter);
        cancellationToken.Register(() =>
        {
            if (_waiters.Remove(waiter))
            {
                completion.TrySetCanceled(cancellationToken);
            }
        });
        return completion.Task;
    }

    public void ContinueAsNew(object input)
    {
        ContinuedAsNewWith = Json(input);
        Called(new ContinueAsNew(ContinuedAsNewWith));
    }

    public void SetCustomStatus(object? status)
    {
        CustomStatus = Json(status);
        Called(new SetCustomStatus(CustomStatus));
    }

    public ILogger CreateReplaySafeLogger(string categoryName) => new ReplaySafeListLogger(this);

    /// <summary>
    /// Runs the orchestrator to completion, or until nothing more can happen (it waits for an event that never
    /// comes). Returns whether it completed, and its result.
    /// </summary>
    public async Task<(bool Completed, T? Result)> Run<T>(Func<IOrchestrationContextPort, Task<T>> orchestrator)
    {
        // On a pool thread there is no synchronization context: every continuation runs inline when this context
        // completes a task, so the orchestrator advances exactly one completion at a time, on one thread.
        return await Task.Run(() =>
        {
            var task = orchestrator(this);
            while (!task.IsCompleted && Step())
            {
            }

            return task.IsCompleted ? (true, task.GetAwaiter().GetResult()) : (false, default(T));
        });
    }

    /// <summary>Completes the next pending timer or event; false when there is none.</summary>
    private bool Step()
    {
        if (_recordedHistory is not null)
        {
            if (_historyIndex >= _recordedHistory.Count)
            {
                return false;
            }

            switch (NextHistory<HistoryEvent>("a timer or an event"))
            {
                case TimerFiredEvent fired:
                    var timer = _timers.FirstOrDefault(t => t.Id == fired.TimerId);
                    if (timer.Completion is null)
                    {
                        throw NonDeterminism($"history has timer {fired.TimerId} firing, but the orchestrator has no such timer pending");
                    }

                    CurrentUtcDateTime = fired.At;
                    _timers.Remove(timer);
                    timer.Completion.SetResult();
                    return true;
                case EventRaised raised:
                    CurrentUtcDateTime = raised.At;
                    var waiter = _waiters.FirstOrDefault(w => w.Name == raised.Name);
                    if (waiter.Complete is null)
                    {
                        throw NonDeterminism($"history has event {raised.Name}, but the orchestrator is not waiting for it");
                    }

                    _waiters.Remove(waiter);
                    waiter.Complete(raised.Payload);
                    return true;
                case var other:
                    throw NonDeterminism($"history has {other} where the orchestrator awaits a timer or an event");
            }
        }

        // Recording: an event already buffered for a waiter first, then the earliest of the next scripted event and
        // the next timer (an event at the same instant as a timer wins, as it was enqueued first).
        foreach (var buffered in _buffered)
        {
            if (Deliver(buffered.Name, buffered.Payload, buffered.At))
            {
                _buffered.Remove(buffered);
                return true;
            }
        }

        var nextTimer = _timers.OrderBy(t => t.FireAt).ThenBy(t => t.Id).FirstOrDefault();
        if (_script.Count > 0 && (nextTimer.Completion is null || _script[0].At <= nextTimer.FireAt))
        {
            var (at, name, payload) = _script[0];
            _script.RemoveAt(0);
            var json = Json(payload);
            if (at > CurrentUtcDateTime)
            {
                CurrentUtcDateTime = at;
            }

            if (!Deliver(name, json, CurrentUtcDateTime))
            {
                _buffered.Add((name, json, CurrentUtcDateTime));
            }

            return true;
        }

        if (nextTimer.Completion is not null)
        {
            if (nextTimer.FireAt > CurrentUtcDateTime)
            {
                CurrentUtcDateTime = nextTimer.FireAt;
            }

            _timers.Remove(nextTimer);
            History.Add(new TimerFiredEvent(nextTimer.Id, CurrentUtcDateTime));
            nextTimer.Completion.SetResult();
            return true;
        }

        return false;
    }

    private bool Deliver(string name, string payload, DateTime at)
    {
        var waiter = _waiters.FirstOrDefault(w => w.Name == name);
        if (waiter.Complete is null)
        {
            return false;
        }

        _waiters.Remove(waiter);
        History.Add(new EventRaised(name, payload, at));
        waiter.Complete(payload);
        return true;
    }

    private void Called(ContextCall call)
    {
        if (_recordedCalls is not null)
        {
            var index = Calls.Count;
            if (index >= _recordedCalls.Count)
            {
                throw NonDeterminism($"call {index} {call} was never made in the recorded execution");
            }

            if (!Equals(_recordedCalls[index], call))
            {
                throw NonDeterminism($"call {index} was {_recordedCalls[index]} when recorded, {call} on replay");
            }
        }

        Calls.Add(call);
    }

    private TEvent NextHistory<TEvent>(string wanted)
        where TEvent : HistoryEvent
    {
        if (_historyIndex >= _recordedHistory!.Count)
        {
            throw NonDeterminism($"the orchestrator needs {wanted} beyond the recorded history");
        }

        var next = _recordedHistory[_historyIndex];
        if (next is not TEvent typed)
        {
            throw NonDeterminism($"history has {next} where the orchestrator needs {wanted}");
        }

        _historyIndex++;
        return typed;
    }

    private static NonDeterminismException NonDeterminism(string message) => new(message);

    /// <summary>Writes to <see cref="Logs"/> only when not replaying, like TaskOrchestrationContext's replay-safe logger.</summary>
    private sealed class ReplaySafeListLogger(ReplayingOrchestrationContext context) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!context.IsReplaying)
            {
                context.Logs.Add(formatter(state, exception));
            }
        }
    }
}

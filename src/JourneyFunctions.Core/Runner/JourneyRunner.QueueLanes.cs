using System.Collections.Concurrent;
using System.Threading.Channels;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Runner;

public sealed partial class JourneyRunner
{
    /// <summary>
    /// The routing side of <see cref="DrainQueueAsync"/>: one lane per worker, each a channel read by one task. A
    /// contact's messages always go to the lane its id hashes to, so they are routed one at a time in the order they
    /// were received, while the receiver goes on receiving and other lanes route other contacts. The receiver holds
    /// off while <c>4 x batch</c> messages are in hand and resumes when a batch's worth is left (so it wakes once per
    /// batch, not once per message, and received messages never wait long enough for their visibility to run out). A routed message's delete is sent while the lane routes its next message (at most
    /// <c>4 x workers</c> deletes in flight); <see cref="DisposeAsync"/> waits for every one. When a contact's message
    /// fails, its later messages in this drain are left alone (not routed, not deleted), so they come back after the
    /// failed one, in order.
    /// </summary>
    private sealed class QueueLanes : IAsyncDisposable
    {
        private readonly JourneyRunner _runner;
        private readonly Channel<QueuedEvent>[] _lanes;
        private readonly Task[] _workers;
        private readonly SemaphoreSlim _deletes;
        private readonly int _maxDeletes;
        private readonly CancellationToken _cancellationToken;
        private readonly Lock _gate = new();
        private readonly int _high;
        private readonly int _low;
        private TaskCompletionSource? _idleWaiter;
        private TaskCompletionSource? _roomWaiter;
        private int _pending;
        private volatile bool _failed;

        public QueueLanes(JourneyRunner runner, int workers, int batch, CancellationToken cancellationToken)
        {
            _runner = runner;
            _cancellationToken = cancellationToken;
            _maxDeletes = 4 * workers;
            _deletes = new SemaphoreSlim(_maxDeletes, _maxDeletes);
            _high = 4 * batch;
            _low = batch;
            _lanes = new Channel<QueuedEvent>[workers];
            _workers = new Task[workers];
            for (var i = 0; i < workers; i++)
            {
                _lanes[i] = Channel.CreateUnbounded<QueuedEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                var reader = _lanes[i].Reader;
                _workers[i] = Task.Run(() => WorkAsync(reader), CancellationToken.None);
            }
        }

        public ConcurrentQueue<RunnerFailure> Failures { get; } = new();

        /// <summary>A message failed (and is left for its retry): the drain stops receiving.</summary>
        public bool Failed => _failed;

        /// <summary>Nothing posted is still being routed.</summary>
        public bool Idle => Volatile.Read(ref _pending) == 0;

        /// <summary>Hands the message to its contact's lane.</summary>
        public void Post(QueuedEvent message)
        {
            Interlocked.Increment(ref _pending);
            var lane = (int)((uint)StringComparer.Ordinal.GetHashCode(message.Event!.ContactId) % (uint)_lanes.Length);
            _lanes[lane].Writer.TryWrite(message);
        }

        /// <summary>Completes at once while fewer than <c>4 x batch</c> messages are in hand, else when a batch's worth is left.</summary>
        public Task WhenRoomAsync()
        {
            if (Volatile.Read(ref _pending) < _high)
            {
                return Task.CompletedTask;
            }

            lock (_gate)
            {
                if (Volatile.Read(ref _pending) <= _low)
                {
                    return Task.CompletedTask;
                }

                _roomWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _roomWaiter.Task;
            }
        }

        /// <summary>Completes when every message posted so far has been routed (or has failed).</summary>
        public Task WhenIdleAsync()
        {
            lock (_gate)
            {
                if (Volatile.Read(ref _pending) == 0)
                {
                    return Task.CompletedTask;
                }

                _idleWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _idleWaiter.Task;
            }
        }

        /// <summary>Lets the lanes finish what they hold, then waits for the deletes in flight.</summary>
        public async ValueTask DisposeAsync()
        {
            foreach (var lane in _lanes)
            {
                lane.Writer.TryComplete();
            }

            await Task.WhenAll(_workers);
            for (var i = 0; i < _maxDeletes; i++)
            {
                await _deletes.WaitAsync(CancellationToken.None);
            }

            _deletes.Release(_maxDeletes);
            _deletes.Dispose();
        }

        private async Task WorkAsync(ChannelReader<QueuedEvent> reader)
        {
            // Contacts whose message failed in this drain: they all hash to this lane, so the set is the lane's own.
            HashSet<string>? held = null;
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        var contactId = message.Event!.ContactId;
                        if (held?.Contains(contactId) == true || _cancellationToken.IsCancellationRequested)
                        {
                            continue;
                        }

                        switch (await _runner.RouteOnlyAsync(message, Failures, _cancellationToken))
                        {
                            case RouteOutcome.Routed:
                                await _deletes.WaitAsync(CancellationToken.None);
                                _ = DeleteAsync(message);
                                break;
                            case RouteOutcome.Failed:
                                (held ??= new HashSet<string>(StringComparer.Ordinal)).Add(contactId);
                                _failed = true;
                                break;
                        }
                    }
                    catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
                    {
                        // Stopping: the message stays on the queue and comes back after its visibility timeout.
                    }
                    catch (Exception ex)
                    {
                        // Moving it to the poison queue failed: it stays on the queue, and so do its contact's later ones.
                        Failures.Enqueue(new RunnerFailure("routing " + message.Event!.Name, message.Event.ContactId, ex));
                        (held ??= new HashSet<string>(StringComparer.Ordinal)).Add(message.Event.ContactId);
                        _failed = true;
                    }
                    finally
                    {
                        Done();
                    }
                }
            }
        }

        private async Task DeleteAsync(QueuedEvent message)
        {
            try
            {
                await _runner.DeleteRoutedAsync(message, _cancellationToken);
            }
            catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
            {
                // Stopping: the message comes back after its visibility timeout and is dropped as already routed.
            }
            catch (Exception ex)
            {
                LogDeleteFailed(_runner._logger, ex, message.MessageId);
            }
            finally
            {
                _deletes.Release();
            }
        }

        private void Done()
        {
            var left = Interlocked.Decrement(ref _pending);
            if (left > _low)
            {
                return;
            }

            TaskCompletionSource? room;
            TaskCompletionSource? idle = null;
            lock (_gate)
            {
                room = _roomWaiter;
                _roomWaiter = null;
                if (left == 0)
                {
                    idle = _idleWaiter;
                    _idleWaiter = null;
                }
            }

            room?.TrySetResult();
            idle?.TrySetResult();
        }
    }
}

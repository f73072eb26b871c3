using System.Globalization;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Memory;

/// <summary>
/// In-memory <see cref="IEventQueue"/> with Queue Storage semantics: the same size limit and message format, a
/// visibility timeout on <see cref="TimeProvider"/>, pop receipts, dequeue counts and a poison queue.
/// </summary>
public sealed class MemoryEventQueue(TimeProvider timeProvider) : IEventQueue
{
    private readonly Lock gate = new();
    private readonly List<Message> messages = [];
    private readonly List<PoisonMessage> poison = [];
    private long nextId;

    public Task EnqueueAsync(ContactEvent contactEvent, CancellationToken cancellationToken = default)
    {
        var body = QueueMessages.Serialize(contactEvent);
        Add(body);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Queues a body as it is, as another producer or an operator replaying a poison message would; it is parsed on
    /// receive. Refused with <see cref="MessageTooLargeException"/> when it does not fit one message.
    /// </summary>
    public Task EnqueueRawAsync(string body, CancellationToken cancellationToken = default)
    {
        QueueMessages.EnsureFits(body);
        Add(body);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueuedEvent>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        lock (gate)
        {
            var now = timeProvider.GetUtcNow();
            var received = new List<QueuedEvent>();
            foreach (var message in messages)
            {
                if (received.Count >= Math.Min(maxMessages, 32))
                {
                    break;
                }

                if (message.VisibleAt > now)
                {
                    continue;
                }

                message.VisibleAt = now + visibilityTimeout;
                message.DequeueCount++;
                message.PopReceipt = Guid.NewGuid().ToString("N");
                var parsed = QueueMessages.TryParse(message.Body, out var error);
                received.Add(new QueuedEvent(message.Id, message.PopReceipt, message.Body, parsed, message.DequeueCount, error));
            }

            return Task.FromResult<IReadOnlyList<QueuedEvent>>(received);
        }
    }

    /// <remarks>A message already gone is ignored; one received again by someone else since (another pop receipt)
    /// throws <see cref="ConcurrencyException"/>, as Queue Storage refuses a stale pop receipt.</remarks>
    public Task DeleteAsync(QueuedEvent message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (gate)
        {
            Remove(message);
        }

        return Task.CompletedTask;
    }

    public Task PoisonAsync(QueuedEvent message, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (gate)
        {
            Remove(message);
            poison.Add(new PoisonMessage(message.MessageId, message.Body, reason, timeProvider.GetUtcNow()));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PoisonMessage>> PeekPoisonAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<PoisonMessage>>([.. poison.Take(Math.Min(maxMessages, 32))]);
        }
    }

    private void Add(string body)
    {
        lock (gate)
        {
            var id = (++nextId).ToString(CultureInfo.InvariantCulture);
            messages.Add(new Message(id, body) { VisibleAt = timeProvider.GetUtcNow() });
        }
    }

    private void Remove(QueuedEvent message)
    {
        var index = messages.FindIndex(m => m.Id == message.MessageId);
        if (index < 0)
        {
            return;
        }

        if (messages[index].PopReceipt != message.PopReceipt)
        {
            throw new ConcurrencyException($"Message '{message.MessageId}' was received again since (its pop receipt changed).");
        }

        messages.RemoveAt(index);
    }

    private sealed class Message(string id, string body)
    {
        public string Id { get; } = id;

        public string Body { get; } = body;

        public DateTimeOffset VisibleAt { get; set; }

        public long DequeueCount { get; set; }

        public string? PopReceipt { get; set; }
    }
}

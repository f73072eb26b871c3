using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Ports;

/// <summary>
/// The ingestion queue. Messages are bounded in size; one that cannot be parsed or keeps failing goes to the poison
/// queue with its original body and the reason.
/// </summary>
public interface IEventQueue
{
    /// <summary>Queues an event; throws <see cref="MessageTooLargeException"/> when it exceeds the queue's limit.</summary>
    Task EnqueueAsync(ContactEvent contactEvent, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<QueuedEvent>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    Task DeleteAsync(QueuedEvent message, CancellationToken cancellationToken = default);

    /// <summary>Moves the message to the poison queue with the reason, and deletes it from the event queue.</summary>
    Task PoisonAsync(QueuedEvent message, string reason, CancellationToken cancellationToken = default);

    /// <summary>Messages in the poison queue (original body and reason), for operators.</summary>
    Task<IReadOnlyList<PoisonMessage>> PeekPoisonAsync(int maxMessages, CancellationToken cancellationToken = default);
}

/// <summary>A received message: the parsed event (null when the body is not a valid event) and its raw body.</summary>
public sealed record QueuedEvent(string MessageId, string PopReceipt, string Body, ContactEvent? Event, long DequeueCount, string? ParseError);

public sealed record PoisonMessage(string MessageId, string Body, string Reason, DateTimeOffset At);

public sealed class MessageTooLargeException : Exception
{
    public MessageTooLargeException()
    {
    }

    public MessageTooLargeException(string message)
        : base(message)
    {
    }

    public MessageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

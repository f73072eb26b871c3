using System.Buffers;
using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The event queue on Azure Queue Storage, and its poison queue <c>&lt;name&gt;-poison</c>. Bodies are base64 of the
/// event JSON, as the Functions queue trigger expects by default. This class does the base64 itself (the clients
/// must use <see cref="QueueMessageEncoding.None"/>, see <see cref="StorageClients"/>), so that a body that is not
/// base64, or not an event, is reported as a <see cref="QueuedEvent.ParseError"/> instead of failing the receive.
/// </summary>
public sealed class AzureEventQueue : IEventQueue
{
    private readonly QueueClient _events;
    private readonly QueueClient _poison;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private Task? _creation;

    public AzureEventQueue(QueueServiceClient service, string queueName, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        _events = service.GetQueueClient(queueName);
        _poison = service.GetQueueClient(queueName + "-poison");
        this._timeProvider = timeProvider;
    }

    /// <remarks>The event is written as UTF-8 JSON and base64-encoded from those bytes (no JSON text in between).</remarks>
    public Task EnqueueAsync(ContactEvent contactEvent, CancellationToken cancellationToken = default) =>
        SendEncodedAsync(_events, Convert.ToBase64String(QueueMessages.SerializeToUtf8(contactEvent)), cancellationToken);

    /// <summary>
    /// Queues a body as it is, as another producer or an operator replaying a poison message would; it is parsed on
    /// receive. Refused with <see cref="MessageTooLargeException"/> when it does not fit one message.
    /// </summary>
    public Task EnqueueRawAsync(string body, CancellationToken cancellationToken = default)
    {
        QueueMessages.EnsureFits(body);
        return SendAsync(_events, body, cancellationToken);
    }

    /// <remarks>Queue Storage returns at most 32 messages per call and hides them for at least one second.</remarks>
    public async Task<IReadOnlyList<QueuedEvent>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        await EnsureCreatedAsync(cancellationToken);
        var timeout = visibilityTimeout < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : visibilityTimeout;
        var response = await _events.ReceiveMessagesAsync(Math.Min(maxMessages, 32), timeout, cancellationToken);
        var received = new List<QueuedEvent>(response.Value.Length);
        foreach (var message in response.Value)
        {
            received.Add(Decode(message));
        }

        return received;
    }

    /// <remarks>A message already gone is ignored; one received again by someone else since (a stale pop receipt)
    /// throws <see cref="ConcurrencyException"/>.</remarks>
    public async Task DeleteAsync(QueuedEvent message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await EnsureCreatedAsync(cancellationToken);
        try
        {
            await _events.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == QueueErrorCode.MessageNotFound)
        {
            // Deleted already (a retry of this delete): nothing to do.
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.PopReceiptMismatch)
        {
            throw new ConcurrencyException($"Message '{message.MessageId}' was received again since (its pop receipt changed).", ex);
        }
    }

    public async Task PoisonAsync(QueuedEvent message, string reason, CancellationToken cancellationToken = default)
    {
        await CopyToPoisonAsync(message, reason, cancellationToken);
        await DeleteAsync(message, cancellationToken);
    }

    /// <summary>
    /// Writes the message with its reason to the poison queue and leaves the original alone: for a consumer that does
    /// not own the message's completion, as the Functions queue trigger, whose runtime deletes the message itself when
    /// the function returns (a delete here first would make the runtime's own delete fail).
    /// </summary>
    public async Task CopyToPoisonAsync(QueuedEvent message, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        await SendAsync(_poison, QueueMessages.WrapPoison(message.MessageId, message.Body, reason, _timeProvider.GetUtcNow()), cancellationToken);
    }

    /// <remarks>Peeks (does not hide or remove) at most 32 messages, oldest first.</remarks>
    public async Task<IReadOnlyList<PoisonMessage>> PeekPoisonAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        await EnsureCreatedAsync(cancellationToken);
        var response = await _poison.PeekMessagesAsync(Math.Min(maxMessages, 32), cancellationToken);
        return
        [
            .. response.Value.Select(m => QueueMessages.UnwrapPoison(
                m.MessageId,
                TryDecode(m.MessageText, out var text) ? text : m.MessageText,
                m.InsertedOn ?? _timeProvider.GetUtcNow())),
        ];
    }

    private Task SendAsync(QueueClient queue, string body, CancellationToken cancellationToken) =>
        SendEncodedAsync(queue, Convert.ToBase64String(Encoding.UTF8.GetBytes(body)), cancellationToken);

    private async Task SendEncodedAsync(QueueClient queue, string encoded, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        try
        {
            await queue.SendMessageAsync(encoded, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.RequestBodyTooLarge || ex.Status == 413)
        {
            throw new MessageTooLargeException($"Queue '{queue.Name}' refused a message of {encoded.Length} encoded bytes as too large.", ex);
        }
    }

    /// <summary>Creates both queues once per instance; a failed creation is retried by the next call.</summary>
    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (_gate)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                _creation = Task.WhenAll(_events.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None), _poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None));
            }

            task = _creation;
        }

        await task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// A received message as an event: the base64 is decoded into a pooled buffer, the event parsed from those UTF-8
    /// bytes, and the text kept as the body (for the poison queue). Not base64, or not UTF-8: the raw text and the reason.
    /// </summary>
    private static QueuedEvent Decode(QueueMessage message)
    {
        var text = message.MessageText;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, text.Length / 4 * 3 + 3));
        try
        {
            if (!Convert.TryFromBase64String(text, buffer, out var written))
            {
                return new QueuedEvent(message.MessageId, message.PopReceipt, text, null, message.DequeueCount,
                    "The message body is not base64: the event queue expects base64-encoded JSON (the Functions queue trigger's default).");
            }

            var utf8 = buffer.AsSpan(0, written);
            if (!TryGetText(utf8, out var body))
            {
                return new QueuedEvent(message.MessageId, message.PopReceipt, text, null, message.DequeueCount,
                    "The message body is not base64: the event queue expects base64-encoded JSON (the Functions queue trigger's default).");
            }

            var parsed = QueueMessages.TryParse(utf8, out var error);
            return new QueuedEvent(message.MessageId, message.PopReceipt, body, parsed, message.DequeueCount, error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryDecode(string text, out string decoded)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, text.Length / 4 * 3 + 3));
        try
        {
            if (Convert.TryFromBase64String(text, buffer, out var written) && TryGetText(buffer.AsSpan(0, written), out decoded))
            {
                return true;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        decoded = "";
        return false;
    }

    /// <summary>The bytes as text when they are valid UTF-8 (base64 of something else is not a body).</summary>
    private static bool TryGetText(ReadOnlySpan<byte> utf8, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(utf8);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
}

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

    public Task EnqueueAsync(ContactEvent contactEvent, CancellationToken cancellationToken = default) =>
        SendAsync(_events, QueueMessages.Serialize(contactEvent), cancellationToken);

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
            string body;
            ContactEvent? parsed;
            string? error;
            if (TryDecode(message.MessageText, out var decoded))
            {
                body = decoded;
                parsed = QueueMessages.TryParse(body, out error);
            }
            else
            {
                body = message.MessageText;
                parsed = null;
                error = "The message body is not base64: the event queue expects base64-encoded JSON (the Functions queue trigger's default).";
            }

            received.Add(new QueuedEvent(message.MessageId, message.PopReceipt, body, parsed, message.DequeueCount, error));
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

    private async Task SendAsync(QueueClient queue, string body, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));
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

    private static bool TryDecode(string text, out string decoded)
    {
        var buffer = new byte[text.Length];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            try
            {
                decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
                return true;
            }
            catch (DecoderFallbackException)
            {
                // Base64 of something that is not UTF-8 text.
            }
        }

        decoded = "";
        return false;
    }
}

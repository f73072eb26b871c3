using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.FunctionApp.Tests.Support;

/// <summary>
/// The email port of the tests: it records every attempt and every accepted message, and can refuse the first
/// attempts at a subject with a transient error (as ACS answers 503), which is what the activity retry policy is for.
/// Like ACS it treats the operation id as the idempotency key: a repeat of an accepted operation is not sent again.
/// </summary>
public sealed class TestEmailSender : IEmailSender
{
    private readonly ConcurrentQueue<EmailMessage> _attempts = new();
    private readonly ConcurrentDictionary<string, EmailMessage> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<EmailMessage> _sent = new();
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every call, failed ones included.</summary>
    public IReadOnlyList<EmailMessage> Attempts => [.. _attempts];

    /// <summary>What went out, in order, once per operation id.</summary>
    public IReadOnlyList<EmailMessage> Sent => [.. _sent];

    /// <summary>The next <paramref name="times"/> attempts to send to <paramref name="address"/> fail transiently.</summary>
    public void FailTransiently(string address, int times) => _failuresLeft[address] = times;

    /// <summary>Sends to <paramref name="address"/> wait until the returned source is completed (an activity in flight).</summary>
    public TaskCompletionSource Hold(string address) => _holds[address] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Attempts that reached a hold and are waiting on it.</summary>
    public int Held(string address) => Attempts.Count(m => string.Equals(m.To.Address, address, StringComparison.OrdinalIgnoreCase)) - SentTo(address).Count;

    public IReadOnlyList<EmailMessage> SentTo(string address) => [.. Sent.Where(m => string.Equals(m.To.Address, address, StringComparison.OrdinalIgnoreCase))];

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        _attempts.Enqueue(message);
        if (_holds.TryRemove(message.To.Address, out var hold))
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (_failuresLeft.TryGetValue(message.To.Address, out var left) && left > 0 && _failuresLeft.TryUpdate(message.To.Address, left - 1, left))
        {
            throw new EmailSendException("503 Service Unavailable (injected)", transient: true);
        }

        if (_accepted.TryAdd(message.OperationId, message))
        {
            _sent.Enqueue(message);
        }

        return new EmailSendResult(MessageIdOf(message.OperationId), "Succeeded");
    }

    /// <summary>The provider message id this sender returns for an operation (what ACS reports carry).</summary>
    public static string MessageIdOf(string operationId) => "msg-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(operationId)))[..24];
}

/// <summary>Polls a condition on the real clock (orchestrations run on real time here).</summary>
public static class TestWait
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}

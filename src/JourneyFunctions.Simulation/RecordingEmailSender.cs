using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Simulation;

/// <summary>An email the simulation "sent": the full rendered message and the virtual time it went out.</summary>
public sealed record RecordedEmail(DateTimeOffset At, EmailMessage Message)
{
    /// <summary>The step that sent it, read from the operation id (<c>{runId}|{stepId}</c>).</summary>
    public string? StepId => OperationIds.StepOf(Message.OperationId);
}

/// <summary>
/// The simulator's email sender: it delivers nothing and records every message exactly as the real sender would
/// receive it (rendered subject, HTML, text, unsubscribe headers), stamped with the virtual time. The operation id
/// is the idempotency key, as with ACS: a retry with the same id is not recorded twice.
/// </summary>
public sealed class RecordingEmailSender(TimeProvider time) : IEmailSender
{
    private readonly List<RecordedEmail> _sent = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RecordedEmail> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (!_sent.Exists(e => e.Message.OperationId == message.OperationId))
            {
                _sent.Add(new RecordedEmail(time.GetUtcNow(), message));
            }
        }

        return Task.FromResult(new EmailSendResult("sim:" + message.OperationId, "Succeeded"));
    }
}

/// <summary>Reads the parts of the machine's deterministic operation ids (<c>{runId}|{stepId}[|{sequence}]</c>).</summary>
internal static class OperationIds
{
    public static string? StepOf(string operationId)
    {
        var parts = operationId.Split('|');
        return parts.Length >= 2 ? parts[1] : null;
    }
}

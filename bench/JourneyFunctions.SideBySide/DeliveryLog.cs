using System.Threading.Channels;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// What every engine's "send" does: counts the email and, when it is the first reminder of a contact that orders,
/// hands the contact to the driver, which then places the order (outside the engine's send, as a shop would).
/// </summary>
public sealed class DeliveryLog
{
    private readonly Channel<string> _orders = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private int _emails;

    public int Emails => Volatile.Read(ref _emails);

    /// <summary>Contacts whose first reminder went out and who order now.</summary>
    public ChannelReader<string> Orders => _orders.Reader;

    public void Sent(string contactId, string step)
    {
        Interlocked.Increment(ref _emails);
        if (step == "reminder-1" && Workload.Orders(Workload.IndexOf(contactId)))
        {
            _orders.Writer.TryWrite(contactId);
        }
    }

    public void Complete() => _orders.Writer.TryComplete();
}

/// <summary>The product's email port for the benchmark: nothing leaves the process, the delivery log notes it.</summary>
public sealed class LoggingEmailSender(DeliveryLog log) : IEmailSender
{
    public Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var address = message.To.Address;
        log.Sent(address[..address.IndexOf('@', StringComparison.Ordinal)], StepOf(message.OperationId));
        return Task.FromResult(new EmailSendResult("bench:" + message.OperationId, "Succeeded"));
    }

    /// <summary>The step id of a send's operation id (<c>run|step|...</c>).</summary>
    private static string StepOf(string operationId) => operationId.Split('|') is [_, var step, ..] ? step : operationId;
}

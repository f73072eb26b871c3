using System.Diagnostics;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Host.Telemetry;

/// <summary>
/// Wraps the configured <see cref="IEmailSender"/> with an "activity" span, the emails-sent counter and, when the send
/// happens while an event is routed, the event-to-email latency.
/// </summary>
public sealed class InstrumentedEmailSender(IEmailSender inner, JourneyTelemetry telemetry, TimeProvider time) : IEmailSender
{
    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        using var span = JourneyTelemetry.Source.StartActivity("activity email.send", ActivityKind.Client);
        span?.SetTag("journeys.operation_id", message.OperationId);
        try
        {
            var result = await inner.SendAsync(message, cancellationToken);
            telemetry.EmailsSent.Add(1);
            if (JourneyTelemetry.EventTime is { } eventTime)
            {
                telemetry.EventToEmail.Record(Math.Max(0, (time.GetUtcNow() - eventTime).TotalSeconds));
            }

            span?.SetTag("journeys.message_id", result.MessageId);
            return result;
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }
}

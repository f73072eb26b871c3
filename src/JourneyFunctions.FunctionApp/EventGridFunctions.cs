using JourneyFunctions.Infrastructure.EventGrid;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// ACS email reports from the Event Grid system topic on the Communication Services resource (infra/app/eventgrid.bicep
/// subscribes this function): EmailDeliveryReportReceived (bounced, suppressed and failed addresses are suppressed;
/// delivered ones recorded in the ledger) and EmailEngagementTrackingReportReceived (opens and clicks become contact
/// events journeys can branch or wait on), read and applied by the same parser and processor as the built-in host's
/// <c>POST /api/eventgrid</c>. The Event Grid trigger answers the subscription handshake itself, and Event Grid
/// authenticates to it with the Functions system key. A failure throws, and Event Grid redelivers (processing a
/// report twice is harmless).
/// </summary>
public sealed class EventGridFunctions(AcsReportProcessor reports, ILogger<EventGridFunctions> logger)
{
    [Function(nameof(AcsEmailEvents))]
    public async Task AcsEmailEvents([EventGridTrigger] string report, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = AcsReportParser.Parse(BinaryData.FromString(report));
        var outcome = await reports.ProcessAsync(batch.Reports, context.CancellationToken);
        logger.LogInformation(
            "ACS report: {Delivered} delivered, {Bounced} bounced, {Suppressed} suppressed, {Engagements} engagements, {Unmatched} unmatched, {Ignored} ignored",
            outcome.Delivered, outcome.Bounced, outcome.Suppressed, outcome.Engagements, outcome.Unmatched, batch.Ignored);
    }
}

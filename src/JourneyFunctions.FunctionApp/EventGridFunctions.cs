using Azure.Messaging.EventGrid;
using JourneyFunctions.Infrastructure.EventGrid;
using Microsoft.Azure.Functions.Worker;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// ACS email reports from the Event Grid system topic on the Communication Services resource (infra/app/eventgrid.bicep
/// subscribes this function): EmailDeliveryReportReceived (bounced, suppressed and failed addresses are suppressed;
/// delivered ones recorded in the ledger) and EmailEngagementTrackingReportReceived (opens and clicks become contact
/// events journeys can branch or wait on). The Event Grid trigger answers the subscription handshake itself, and
/// Event Grid authenticates to it with the Functions system key.
/// </summary>
public sealed class EventGridFunctions(AcsReportProcessor reports)
{
    [Function(nameof(AcsEmailEvents))]
    public Task AcsEmailEvents([EventGridTrigger] EventGridEvent report, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return reports.ProcessAsync(report, context.CancellationToken);
    }
}

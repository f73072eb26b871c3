namespace JourneyFunctions.Infrastructure.Tests.EventGrid;

/// <summary>
/// Event Grid deliveries shaped like the samples of the Event Grid data-plane spec for Azure Communication Services
/// (Azure/azure-rest-api-specs, specification/eventgrid/data-plane/Microsoft.Communication/stable/2018-01-01/examples,
/// event-grid-schema and cloud-events-schema: email_delivery_report_received.json,
/// email_engagement_tracking_report_received.json), including their quirks: a lower-case status and the
/// "deliveryAttemptTimeStamp" spelling of the delivery sample.
/// </summary>
internal static class AcsReportSamples
{
    public const string MessageId = "950850f5-bcdf-4315-b77a-6447cf56fac9";

    public static string DeliveryEventGrid(string status = "delivered", string messageId = MessageId, string id = "5f04f77c-2a6a-43bd-9b74-576a64c01f9e", string recipient = "test1@contoso.com") => $$"""
        [{
          "id": "{{id}}",
          "topic": "/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/Microsoft.Communication/communicationServices/{communication-services-resource-name}",
          "subject": "sender/test2@contoso.org/message/{{messageId}}",
          "data": {
            "sender": "test2@contoso.org",
            "recipient": "{{recipient}}",
            "messageId": "{{messageId}}",
            "status": "{{status}}",
            "deliveryAttemptTimeStamp": "2023-02-09T19:46:12.2480265+00:00",
            "deliveryStatusDetails": { "statusMessage": "DestinationMailboxFull" }
          },
          "eventType": "Microsoft.Communication.EmailDeliveryReportReceived",
          "dataVersion": "1.0",
          "metadataVersion": "1",
          "eventTime": "2023-02-09T19:46:12.2478002Z"
        }]
        """;

    public static string EngagementCloudEvent(string type = "click", string messageId = MessageId, string id = "b69d6528-f09f-4ba7-93f9-dab8baf98d0e", string recipient = "test1@contoso.com") => $$"""
        {
          "id": "{{id}}",
          "source": "/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/Microsoft.Communication/communicationServices/{communication-services-resource-name}",
          "subject": "sender/test2@contoso.org/message/{{messageId}}",
          "data": {
            "sender": "test2@contoso.org",
            "recipient": "{{recipient}}",
            "messageId": "{{messageId}}",
            "userActionTimestamp": "2023-02-09T20:07:22.745555+00:00",
            "engagementContext": "www.example.com",
            "userAgent": "Desktop",
            "engagementType": "{{type}}"
          },
          "type": "Microsoft.Communication.EmailEngagementTrackingReportReceived",
          "time": "2023-02-09T20:07:22.7453611Z",
          "specversion": "1.0"
        }
        """;

    public static string DeliveryCloudEvents(string status = "Bounced") => $$"""
        [{
          "id": "7c4a1b02-0d1e-4a5b-8f1f-2f6d1c7f0a11",
          "source": "/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/Microsoft.Communication/communicationServices/{communication-services-resource-name}",
          "subject": "sender/test2@contoso.org/message/{{MessageId}}",
          "data": {
            "sender": "test2@contoso.org",
            "recipient": "test1@contoso.com",
            "messageId": "{{MessageId}}",
            "status": "{{status}}",
            "deliveryAttemptTimestamp": "2023-02-09T19:46:12.2480265+00:00",
            "deliveryStatusDetails": { "statusMessage": "Recipient address rejected" }
          },
          "type": "Microsoft.Communication.EmailDeliveryReportReceived",
          "time": "2023-02-09T19:46:12.2478002Z",
          "specversion": "1.0"
        }]
        """;

    public const string SubscriptionValidation = """
        [{
          "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
          "topic": "/subscriptions/xx/resourceGroups/xx/providers/Microsoft.Communication/communicationServices/xx",
          "subject": "",
          "data": {
            "validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
            "validationUrl": "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A"
          },
          "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
          "eventTime": "2022-10-28T04:23:35.1981776Z",
          "metadataVersion": "1",
          "dataVersion": "1"
        }]
        """;
}

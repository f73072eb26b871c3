using System.Text.Json;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;

namespace JourneyFunctions.Infrastructure.EventGrid;

public enum AcsReportKind
{
    /// <summary>Microsoft.Communication.EmailDeliveryReportReceived.</summary>
    Delivery,

    /// <summary>Microsoft.Communication.EmailEngagementTrackingReportReceived (needs engagement tracking on the domain).</summary>
    Engagement,
}

/// <summary>
/// One ACS email report. <see cref="MessageId"/> is the ACS operation id the sender returned (the ledger's message
/// id); <see cref="ReportId"/> is the Event Grid event id, stable across Event Grid's redeliveries.
/// </summary>
public sealed record AcsReport
{
    public required string ReportId { get; init; }

    public required AcsReportKind Kind { get; init; }

    public required string MessageId { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Sender { get; init; }

    /// <summary>
    /// The address the report is about. Delivery reports name it in the SDK model; engagement reports carry it in
    /// their data too (<c>recipient</c> in the published schema), read from the raw JSON because the 4.17 model lacks it.
    /// </summary>
    public string? Recipient { get; init; }

    /// <summary>Delivered, Bounced, Suppressed, Failed, Quarantined, FilteredSpam or Expanded, as ACS wrote it.</summary>
    public string? DeliveryStatus { get; init; }

    public string? StatusDetail { get; init; }

    /// <summary>view or click.</summary>
    public string? EngagementType { get; init; }

    /// <summary>For a click, the URL clicked.</summary>
    public string? Url { get; init; }
}

/// <summary>What an Event Grid delivery held: a subscription-validation code to echo, and/or ACS email reports.</summary>
public sealed record AcsReportBatch(string? ValidationCode, IReadOnlyList<AcsReport> Reports, int Ignored)
{
    /// <summary>The body that completes the Event Grid subscription handshake: <c>{"validationResponse": code}</c>.</summary>
    public string? ValidationResponse => ValidationCode is null ? null : JsonSerializer.Serialize(new Dictionary<string, string> { ["validationResponse"] = ValidationCode });
}

/// <summary>
/// Reads an Event Grid delivery, in the Event Grid schema (an array of events) or the CloudEvents 1.0 schema (one
/// event or a batch), with Azure.Messaging.EventGrid's system-event models. Events of other types are counted as
/// ignored. The CloudEvents webhook handshake is an HTTP OPTIONS request (answer with <c>WebHook-Allowed-Origin</c>),
/// handled by the endpoint, not here.
/// </summary>
public static class AcsReportParser
{
    public const string DeliveryReportType = "Microsoft.Communication.EmailDeliveryReportReceived";
    public const string EngagementReportType = "Microsoft.Communication.EmailEngagementTrackingReportReceived";
    public const string SubscriptionValidationType = "Microsoft.EventGrid.SubscriptionValidationEvent";

    /// <summary>Parses a delivery; throws <see cref="FormatException"/> when the body is not Event Grid JSON.</summary>
    public static AcsReportBatch Parse(BinaryData body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new FormatException($"the Event Grid delivery is not JSON: {exception.Message}", exception);
        }

        var first = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().FirstOrDefault() : root;
        var cloudEvents = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("specversion", out _);
        try
        {
            return cloudEvents ? FromCloudEvents(CloudEvent.ParseMany(body, skipValidation: true)) : FromEventGrid(EventGridEvent.ParseMany(body));
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"the Event Grid delivery is not a valid {(cloudEvents ? "CloudEvents" : "Event Grid")} batch: {exception.Message}", exception);
        }
    }

    private static AcsReportBatch FromEventGrid(EventGridEvent[] events)
    {
        string? validation = null;
        var reports = new List<AcsReport>();
        var ignored = 0;
        foreach (var e in events)
        {
            if (e.EventType == SubscriptionValidationType && e.TryGetSystemEventData(out var data) && data is SubscriptionValidationEventData v)
            {
                validation = v.ValidationCode;
                continue;
            }

            var report = e.TryGetSystemEventData(out var system) ? Report(e.Id, e.EventTime, system, e.Data) : null;
            if (report is null)
            {
                ignored++;
                continue;
            }

            reports.Add(report);
        }

        return new AcsReportBatch(validation, reports, ignored);
    }

    private static AcsReportBatch FromCloudEvents(CloudEvent[] events)
    {
        var reports = new List<AcsReport>();
        var ignored = 0;
        foreach (var e in events)
        {
            var report = e.TryGetSystemEventData(out var system) ? Report(e.Id, e.Time ?? DateTimeOffset.MinValue, system, e.Data) : null;
            if (report is null)
            {
                ignored++;
                continue;
            }

            reports.Add(report);
        }

        return new AcsReportBatch(null, reports, ignored);
    }

    private static AcsReport? Report(string id, DateTimeOffset eventTime, object? data, BinaryData? raw) => data switch
    {
        AcsEmailDeliveryReportReceivedEventData d when !string.IsNullOrEmpty(d.MessageId) => new AcsReport
        {
            ReportId = id,
            Kind = AcsReportKind.Delivery,
            MessageId = d.MessageId,
            At = d.DeliveryAttemptTimestamp ?? Timestamp(raw, "deliveryAttemptTimestamp") ?? eventTime,
            Sender = d.Sender,
            Recipient = d.Recipient,
            DeliveryStatus = d.Status?.ToString(),
            StatusDetail = d.DeliveryStatusDetails?.StatusMessage,
        },
        AcsEmailEngagementTrackingReportReceivedEventData d when !string.IsNullOrEmpty(d.MessageId) => new AcsReport
        {
            ReportId = id,
            Kind = AcsReportKind.Engagement,
            MessageId = d.MessageId,
            At = d.UserActionTimestamp ?? Timestamp(raw, "userActionTimestamp") ?? eventTime,
            Sender = d.Sender,
            Recipient = Text(raw, "recipient"),
            EngagementType = d.Engagement?.ToString(),
            Url = d.EngagementContext,
        },
        _ => null,
    };

    /// <summary>A string property of the data, by name ignoring case; null when absent or not a string.</summary>
    private static string? Text(BinaryData? raw, string name)
    {
        if (raw is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                    {
                        return property.Value.GetString();
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>
    /// Reads a timestamp of the data by name, ignoring case: the published samples spell them both
    /// "deliveryAttemptTimestamp" and "deliveryAttemptTimeStamp", and the SDK model reads only one.
    /// </summary>
    private static DateTimeOffset? Timestamp(BinaryData? raw, string name)
    {
        if (raw is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(property.Value.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
                {
                    return at;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}

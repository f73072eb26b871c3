using JourneyFunctions.Infrastructure.EventGrid;

namespace JourneyFunctions.Infrastructure.Tests.EventGrid;

public sealed class AcsReportParserTests
{
    [Fact]
    public void Parse_DeliverySampleInEventGridSchema_ReadsTheReport()
    {
        var batch = AcsReportParser.Parse(BinaryData.FromString(AcsReportSamples.DeliveryEventGrid()));

        Assert.Null(batch.ValidationCode);
        var report = Assert.Single(batch.Reports);
        Assert.Equal(AcsReportKind.Delivery, report.Kind);
        Assert.Equal("5f04f77c-2a6a-43bd-9b74-576a64c01f9e", report.ReportId);
        Assert.Equal(AcsReportSamples.MessageId, report.MessageId);
        Assert.Equal("test1@contoso.com", report.Recipient);
        Assert.Equal("test2@contoso.org", report.Sender);
        Assert.Equal("delivered", report.DeliveryStatus, ignoreCase: true);
        Assert.Equal("DestinationMailboxFull", report.StatusDetail);
        Assert.Equal(new DateTimeOffset(2023, 2, 9, 19, 46, 12, TimeSpan.Zero).AddTicks(2480265), report.At);
    }

    [Fact]
    public void Parse_EngagementSampleAsASingleCloudEvent_ReadsTheClick()
    {
        var batch = AcsReportParser.Parse(BinaryData.FromString(AcsReportSamples.EngagementCloudEvent()));

        var report = Assert.Single(batch.Reports);
        Assert.Equal(AcsReportKind.Engagement, report.Kind);
        Assert.Equal("b69d6528-f09f-4ba7-93f9-dab8baf98d0e", report.ReportId);
        Assert.Equal("click", report.EngagementType, ignoreCase: true);
        Assert.Equal("www.example.com", report.Url);
        Assert.Equal("test1@contoso.com", report.Recipient);
        Assert.Equal(new DateTimeOffset(2023, 2, 9, 20, 7, 22, 745, TimeSpan.Zero).AddTicks(5550), report.At);
    }

    [Fact]
    public void Parse_DeliveryCloudEventsBatch_ReadsTheBounce()
    {
        var report = Assert.Single(AcsReportParser.Parse(BinaryData.FromString(AcsReportSamples.DeliveryCloudEvents())).Reports);

        Assert.Equal("Bounced", report.DeliveryStatus, ignoreCase: true);
        Assert.Equal("Recipient address rejected", report.StatusDetail);
    }

    [Fact]
    public void Parse_SubscriptionValidation_ReturnsTheCodeToEcho()
    {
        var batch = AcsReportParser.Parse(BinaryData.FromString(AcsReportSamples.SubscriptionValidation));

        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", batch.ValidationCode);
        Assert.Equal("""{"validationResponse":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}""", batch.ValidationResponse);
        Assert.Empty(batch.Reports);
    }

    [Fact]
    public void Parse_OtherEventTypes_Ignored()
    {
        var body = """
            [{ "id": "1", "topic": "/t", "subject": "s", "data": { "messageId": "m", "from": "+1", "to": "+2" },
               "eventType": "Microsoft.Communication.SMSDeliveryReportReceived", "dataVersion": "1.0", "metadataVersion": "1", "eventTime": "2023-02-09T19:46:12Z" },
             { "id": "2", "topic": "/t", "subject": "s", "data": {}, "eventType": "Contoso.Custom", "dataVersion": "1.0", "metadataVersion": "1", "eventTime": "2023-02-09T19:46:12Z" }]
            """;

        var batch = AcsReportParser.Parse(BinaryData.FromString(body));

        Assert.Empty(batch.Reports);
        Assert.Equal(2, batch.Ignored);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""[{"id": "1"}]""")]
    public void Parse_NotAnEventGridDelivery_ThrowsFormatException(string body)
    {
        Assert.Throws<FormatException>(() => AcsReportParser.Parse(BinaryData.FromString(body)));
    }
}

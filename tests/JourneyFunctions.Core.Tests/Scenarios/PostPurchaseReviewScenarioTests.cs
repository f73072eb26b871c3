using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Tests.Scenarios;

public sealed class PostPurchaseReviewScenarioTests
{
    private static readonly DateTimeOffset Ordered = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(1));

    private static JourneyDriver Driver() =>
        new(Repo.LoadJourney("post-purchase-review"), new Contact { Id = "eva", Email = "eva@example.com", TimeZone = "Europe/Madrid" }, Ordered);

    [Fact]
    public void Review_DeliveryDateKnown_AsksThreeDaysAfterDelivery()
    {
        var d = Driver();

        var entry = d.Trigger("order.placed", """{"orderId":"o-1","total":59,"deliveredAt":"2026-11-25T16:00:00+01:00","items":[{"sku":"MUG","name":"Mug","quantity":1,"price":59}]}""");
        d.RunToEnd();

        Assert.Equal("post-purchase-review:eva:k=o-1", entry.RunId);
        Assert.Equal(["review-request", "review-reminder"], d.Templates);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.FromHours(1)), d.Emails.First().At);
        Assert.Equal(d.Emails.First().At.AddDays(5), d.Emails.Last().At);
        Assert.Equal("no review", d.State!.CompletionDetail);
        Assert.DoesNotContain(d.Activities, a => a.Request is ChangeTagsRequest);
    }

    [Fact]
    public void Review_NoDeliveryDate_FallsBackToSevenDays()
    {
        var d = Driver();

        d.Trigger("order.placed", """{"orderId":"o-2","total":12}""");
        d.AdvanceBy(TimeSpan.FromDays(8));

        Assert.Equal(Ordered.AddDays(7), Assert.Single(d.Emails).At);
        Assert.Contains(d.Decisions, x => x.Message.StartsWith("trigger.deliveredAt is missing or not a date: waiting 1 week instead", StringComparison.Ordinal));
    }

    [Fact]
    public void Review_DeliveredLongAgo_AsksAtOnce()
    {
        var d = Driver();

        d.Trigger("order.placed", """{"orderId":"o-3","deliveredAt":"2026-11-01"}""");

        Assert.Equal(Ordered, Assert.Single(d.Emails).At);
        Assert.Contains(d.Decisions, x => x.Message.Contains("has already passed", StringComparison.Ordinal));
    }

    [Fact]
    public void Review_ReviewSubmittedAfterRequest_TagsReviewerAndSendsNoReminder()
    {
        var d = Driver();
        d.Trigger("order.placed", """{"orderId":"o-4","deliveredAt":"2026-11-24T12:00:00Z"}""");

        d.AdvanceBy(TimeSpan.FromDays(5));
        d.Send("review.submitted", """{"orderId":"o-4","rating":5}""");
        d.RunToEnd();

        Assert.Equal(["review-request"], d.Templates);
        var tags = Assert.IsType<ChangeTagsRequest>(Assert.Single(d.Activities, a => a.Request is ChangeTagsRequest).Request);
        Assert.Equal(["reviewer"], tags.Add);
        Assert.Equal("review submitted", d.State!.CompletionDetail);
        Assert.NotNull(d.State.GoalReachedAt);
        Assert.Equal(5, d.State.Events["wait-review"].GetProperty("rating").GetInt32());
    }

    [Fact]
    public void Review_ReviewAfterReminder_TagsReviewer()
    {
        var d = Driver();
        d.Trigger("order.placed", """{"orderId":"o-5"}""");

        d.AdvanceBy(TimeSpan.FromDays(13));
        d.Send("review.submitted", """{"orderId":"o-5","rating":4}""");

        Assert.Equal(["review-request", "review-reminder"], d.Templates);
        Assert.Contains(d.Activities, a => a.Request is ChangeTagsRequest { Add: ["reviewer"] });
        Assert.Equal(RunStatus.Completed, d.State!.Status);
    }

    [Fact]
    public void Review_NinetyDayJourney_RunsOnVirtualClock()
    {
        var journey = new Model.JourneyDefinition
        {
            Id = "quarterly",
            Name = "Quarterly check-in",
            Trigger = new Model.Trigger { Event = "order.placed" },
            Steps =
            [
                new Model.WaitStep { Id = "month-1", Duration = "P30D" },
                new Model.EmailStep { Id = "check-in-1", Template = "check-in" },
                new Model.WaitStep { Id = "month-2", Duration = "P30D" },
                new Model.EmailStep { Id = "check-in-2", Template = "check-in" },
                new Model.WaitStep { Id = "month-3", Duration = "P30D" },
                new Model.EmailStep { Id = "check-in-3", Template = "check-in" },
            ],
        };
        var d = new JourneyDriver(journey, new Contact { Id = "eva", TimeZone = "Europe/Madrid" }, Ordered);

        d.Trigger("order.placed");
        d.RunToEnd();

        // Days are calendar days in Madrid: 10:00 stays 10:00 whatever the offset.
        Assert.Equal([Ordered.AddDays(30), Ordered.AddDays(60), Ordered.AddDays(90)], d.Emails.Select(e => e.At));
        Assert.Equal(Ordered.AddDays(90), d.State!.EndedAt);
    }
}

using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Moq;

namespace JourneyFunctions.Core.Tests.Services;

public sealed class ActivityExecutorTests
{
    private static SendEmailRequest Request(string runId = "abandoned-cart:ana:k=c-1") => new()
    {
        RunId = runId,
        JourneyId = "abandoned-cart",
        Version = 1,
        ContactId = "ana",
        StepId = "reminder-1",
        Sequence = 2,
        OperationId = runId + "|reminder-1",
        Template = "cart-reminder-1",
        Data = new RunData { Trigger = System.Text.Json.JsonSerializer.SerializeToElement(ServiceHarness.Cart()) },
    };

    private static async Task SeedAsync(ServiceHarness h)
    {
        await h.PublishSamplesAsync("abandoned-cart");
        await h.Get<ContactService>().UpsertAsync("ana", ServiceHarness.Ana());
    }

    [Fact]
    public async Task ExecuteAsync_SameOperationTwice_SendsOnce()
    {
        await using var h = new ServiceHarness();
        await SeedAsync(h);
        var executor = h.Get<ActivityExecutor>();

        var first = await executor.ExecuteAsync(Request());
        var second = await executor.ExecuteAsync(Request());

        Assert.Equal(ActivityStatus.Succeeded, first.Status);
        Assert.Equal(ActivityStatus.Succeeded, second.Status);
        Assert.Single(h.Emails.Sent);
        var entry = await h.Get<ISendLedger>().GetAsync(Request().ContactId, Request().RunId, Request().OperationId);
        Assert.Equal(LedgerStatus.Done, entry!.Status);
        Assert.Equal("msg-" + Request().OperationId, entry.MessageId);
    }

    [Fact]
    public async Task ExecuteAsync_TransientFailure_ThrowsAndTheRetryReusesTheOperationId()
    {
        var email = new Mock<IEmailSender>();
        email.SetupSequence(e => e.SendAsync(It.IsAny<EmailMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EmailSendException("ACS answered 503", transient: true, TimeSpan.FromSeconds(5)))
            .ReturnsAsync(new EmailSendResult("acs-1", "Running"));
        await using var h = new ServiceHarness(email: email.Object);
        await SeedAsync(h);
        var executor = h.Get<ActivityExecutor>();

        await Assert.ThrowsAsync<EmailSendException>(() => executor.ExecuteAsync(Request()));
        var retried = await executor.ExecuteAsync(Request());

        Assert.Equal(ActivityStatus.Succeeded, retried.Status);
        email.Verify(e => e.SendAsync(It.Is<EmailMessage>(m => m.OperationId == Request().OperationId), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Equal(1, await h.Get<ISendLedger>().CountSentToContactAsync("ana", DateTimeOffset.MinValue));
    }

    [Fact]
    public async Task ExecuteAsync_PermanentRefusal_FailsTheStepOnceAndRecordsWhy()
    {
        var email = new Mock<IEmailSender>();
        email.Setup(e => e.SendAsync(It.IsAny<EmailMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EmailSendException("InvalidRecipient: the address is malformed", transient: false));
        await using var h = new ServiceHarness(email: email.Object);
        await SeedAsync(h);

        var outcome = await h.Get<ActivityExecutor>().ExecuteAsync(Request());
        var again = await h.Get<ActivityExecutor>().ExecuteAsync(Request());

        Assert.Equal(ActivityStatus.Failed, outcome.Status);
        Assert.Contains("InvalidRecipient", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(ActivityStatus.Failed, again.Status);
        email.Verify(e => e.SendAsync(It.IsAny<EmailMessage>(), It.IsAny<CancellationToken>()), Times.Once());
        var entry = await h.Get<ISendLedger>().GetAsync(Request().ContactId, Request().RunId, Request().OperationId);
        Assert.Equal(LedgerStatus.Failed, entry!.Status);
    }

    [Fact]
    public async Task ExecuteAsync_ChangeTags_RaisesTagEventsOnce()
    {
        await using var h = new ServiceHarness();
        await SeedAsync(h);
        await h.PublishAsync(TagTriggered("abandoner-follow-up", "cart-abandoner"));
        var request = new ChangeTagsRequest
        {
            RunId = "r", JourneyId = "abandoned-cart", Version = 1, ContactId = "ana", StepId = "tag", Sequence = 7,
            OperationId = "r|tag|7", Add = ["cart-abandoner"],
        };

        await h.Get<ActivityExecutor>().ExecuteAsync(request);
        await h.Get<ActivityExecutor>().ExecuteAsync(request);

        var queued = await h.Get<IEventQueue>().ReceiveAsync(32, TimeSpan.FromMinutes(1));
        var tagEvent = Assert.Single(queued, q => q.Event!.Name == Model.SystemEvents.TagAdded);
        Assert.Equal("cart-abandoner", tagEvent.Event!.Data!.Value.GetProperty("tag").GetString());
        Assert.Contains("cart-abandoner", (await h.Get<IContactStore>().GetAsync("ana"))!.Tags);
    }

    [Fact]
    public async Task ExecuteAsync_ChangeTagsNobodyListensTo_QueuesNoTagEvent()
    {
        await using var h = new ServiceHarness();
        await SeedAsync(h);
        await h.PublishAsync(TagTriggered("vip-welcome", "vip")); // triggered by another tag

        await h.Get<ActivityExecutor>().ExecuteAsync(new ChangeTagsRequest
        {
            RunId = "r", JourneyId = "abandoned-cart", Version = 1, ContactId = "ana", StepId = "tag", Sequence = 7,
            OperationId = "r|tag|7", Add = ["cart-abandoner"],
        });

        Assert.Empty(await h.Get<IEventQueue>().ReceiveAsync(32, TimeSpan.FromMinutes(1)));
        Assert.Contains("cart-abandoner", (await h.Get<IContactStore>().GetAsync("ana"))!.Tags);
    }

    [Fact]
    public async Task ExecuteAsync_ChangeTagsHeardByTheRunningJourneysOwnWait_QueuesTheTagEvent()
    {
        await using var h = new ServiceHarness();
        await SeedAsync(h);
        await h.PublishAsync("""
            {
              "id": "tag-waiter", "name": "Tag waiter", "trigger": { "event": "test.started" },
              "steps": [
                { "id": "tag", "type": "tags", "remove": ["newcomer"] },
                { "id": "wait", "type": "waitForEvent", "event": "contact.tagRemoved", "timeout": "P1D" }
              ]
            }
            """);
        await h.Get<ContactService>().UpsertAsync("ana", new ContactPatch { Tags = ["newcomer"] });
        _ = await h.Get<IEventQueue>().ReceiveAsync(32, TimeSpan.FromMinutes(1)); // nobody hears the upsert's tag

        // The run is not stored yet (its first drive), so only its own version says the event is heard.
        await h.Get<ActivityExecutor>().ExecuteAsync(new ChangeTagsRequest
        {
            RunId = "tag-waiter:ana", JourneyId = "tag-waiter", Version = 1, ContactId = "ana", StepId = "tag", Sequence = 1,
            OperationId = "tag-waiter:ana|tag|1", Remove = ["newcomer"],
        });

        var queued = await h.Get<IEventQueue>().ReceiveAsync(32, TimeSpan.FromMinutes(1));
        Assert.Equal(Model.SystemEvents.TagRemoved, Assert.Single(queued).Event!.Name);
    }

    private static string TagTriggered(string id, string tag) => $$"""
        {
          "id": "{{id}}", "name": "{{id}}", "trigger": { "tagAdded": "{{tag}}" },
          "steps": [ { "id": "wait", "type": "wait", "duration": "P1D" } ]
        }
        """;

    [Fact]
    public async Task ExecuteAsync_SetMarketingConsentFalse_Unsubscribes()
    {
        await using var h = new ServiceHarness();
        await SeedAsync(h);

        await h.Get<ActivityExecutor>().ExecuteAsync(new SetFieldRequest
        {
            RunId = "r", JourneyId = "re-engagement", Version = 1, ContactId = "ana", StepId = "unsubscribe", Sequence = 3,
            OperationId = "r|unsubscribe|3", Field = "marketingConsent", Value = System.Text.Json.JsonSerializer.SerializeToElement(false),
        });

        var contact = await h.Get<IContactStore>().GetAsync("ana");
        Assert.False(contact!.Consent.Marketing);
        Assert.Equal("journey:re-engagement", contact.Consent.Source);
    }
}

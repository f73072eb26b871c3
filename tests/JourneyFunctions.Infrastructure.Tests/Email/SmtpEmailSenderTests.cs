using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Email;
using JourneyFunctions.Infrastructure.Tests.Fixtures;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Tests.Email;

[Collection(MailDevCollection.Name)]
public sealed class SmtpEmailSenderTests(MailDevFixture maildev)
{
    [Fact]
    public async Task SendAsync_MailDev_DeliversBothPartsSubjectAndUnsubscribeHeaders()
    {
        var message = AcsEmailSenderTests.Message("run-smtp:email-1") with { To = new EmailAddress("smtp-ok@example.com", "Smtp Ok") };

        var result = await Sender().SendAsync(message);

        var email = await maildev.WaitForEmailToAsync("smtp-ok@example.com");
        Assert.Equal("Ann, you left something in your cart", email.GetProperty("subject").GetString());
        Assert.Equal("Hi Ann & friends", email.GetProperty("text").GetString()!.Trim());
        Assert.Contains("<p>Hi Ann &amp; friends</p>", email.GetProperty("html").GetString()!, StringComparison.Ordinal);
        var raw = await maildev.SourceAsync(email);
        Assert.Equal("<https://shop.example/api/unsubscribe?token=1.k.abc.def>", raw.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", raw.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("multipart/alternative", raw.Body!.ContentType.MimeType);
        Assert.Equal(["text/plain", "text/html"], ((MimeKit.Multipart)raw.Body).Select(part => part.ContentType.MimeType));
        Assert.Equal("help@shop.example", raw.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal(result.MessageId, raw.MessageId);
        Assert.Equal($"{OperationIds.ToUuid("run-smtp:email-1"):D}@shop.example", result.MessageId);
    }

    [Fact]
    public async Task SendAsync_WrongPassword_Permanent()
    {
        var sender = Sender(o => o.Password = "wrong");

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(AcsEmailSenderTests.Message()));

        Assert.False(exception.Transient);
    }

    [Fact]
    public async Task SendAsync_NothingListening_Transient()
    {
        var sender = Sender(o => o.Port = 1);

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(AcsEmailSenderTests.Message()));

        Assert.True(exception.Transient);
    }

    [Fact]
    public async Task SendAsync_TlsAgainstAPlainServer_PermanentTlsFailure()
    {
        var sender = Sender(o => o.Security = SmtpSecurity.SslOnConnect);

        var exception = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(AcsEmailSenderTests.Message()));

        Assert.False(exception.Transient);
        Assert.StartsWith("TLS with SMTP", exception.Message, StringComparison.Ordinal);
    }

    private SmtpEmailSender Sender(Action<SmtpEmailOptions>? configure = null)
    {
        var options = new SmtpEmailOptions
        {
            Host = "127.0.0.1",
            Port = maildev.SmtpPort,
            Security = SmtpSecurity.None,
            UserName = MailDevFixture.UserName,
            Password = MailDevFixture.Password,
            Timeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new SmtpEmailSender(Options.Create(options));
    }
}

using JourneyFunctions.Core.Ports;
using MimeKit;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// Builds the MIME form of an email for SMTP and the outbox: multipart/alternative (text first, then HTML, as RFC
/// 2046 orders them by preference), the message's extra headers (List-Unsubscribe ...), and a Message-ID derived from
/// the operation id, so that a retried send is recognisable as the same message.
/// </summary>
public static class MimeMessages
{
    public static MimeMessage Build(EmailMessage message, DateTimeOffset date)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(message.From.DisplayName, message.From.Address));
        mime.To.Add(new MailboxAddress(message.To.DisplayName, message.To.Address));
        if (message.ReplyTo is { } replyTo)
        {
            mime.ReplyTo.Add(new MailboxAddress(replyTo.DisplayName, replyTo.Address));
        }

        mime.Subject = message.Subject;
        mime.Date = date;
        mime.MessageId = MessageId(message);
        foreach (var (name, value) in message.Headers)
        {
            mime.Headers.Replace(name, value);
        }

        mime.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();
        return mime;
    }

    /// <summary><c>&lt;uuid&gt;@&lt;sender domain&gt;</c> with the operation id's name-based UUID (without the angle brackets).</summary>
    public static string MessageId(EmailMessage message)
    {
        var at = message.From.Address.LastIndexOf('@');
        var domain = at >= 0 && at < message.From.Address.Length - 1 ? message.From.Address[(at + 1)..] : "journeyfunctions.local";
        return $"{OperationIds.ToUuid(message.OperationId):D}@{domain}";
    }
}

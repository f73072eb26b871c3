using JourneyFunctions.Core.Contacts;
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
    /// <summary>
    /// The MIME message; <see cref="EmailSendException"/> (permanent) when an address is not one mailbox
    /// (<see cref="EmailAddresses"/>, the parser ingest uses), since sending it again can never succeed.
    /// </summary>
    public static MimeMessage Build(EmailMessage message, DateTimeOffset date)
    {
        var mime = new MimeMessage();
        mime.From.Add(Mailbox(message.From, "sender"));
        mime.To.Add(Mailbox(message.To, "recipient"));
        if (message.ReplyTo is { } replyTo)
        {
            mime.ReplyTo.Add(Mailbox(replyTo, "reply-to"));
        }

        mime.Subject = message.Subject;
        mime.Date = date;
        mime.MessageId = MessageId(message);
        foreach (var (name, value) in message.Headers)
        {
            mime.Headers.Replace(name, value);
        }

        mime.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();

        // RFC 2045: a part whose content is not 7-bit ASCII in lines of at most 998 octets needs a
        // Content-Transfer-Encoding. Prepare picks one per part (quoted-printable for mostly-ASCII text such as
        // "Olá" or a long HTML line, base64 otherwise), so the .eml and the SMTP DATA are 7-bit clean whatever the
        // templates hold and whether or not the server speaks 8BITMIME.
        mime.Prepare(EncodingConstraint.SevenBit);
        return mime;
    }

    /// <summary>The mailbox of an address, or a permanent <see cref="EmailSendException"/> saying which one is bad.</summary>
    public static MailboxAddress Mailbox(EmailAddress address, string role)
    {
        ArgumentNullException.ThrowIfNull(address);
        try
        {
            // A contact's address (the recipient) is held to exactly what ingest accepted; the configured sender may be local.
            return EmailAddresses.ToMailbox(address.Address, address.DisplayName, requireDottedDomain: role == "recipient");
        }
        catch (FormatException exception)
        {
            throw new EmailSendException($"the {role} address cannot be sent to: {exception.Message}", transient: false, innerException: exception);
        }
    }

    /// <summary>
    /// <c>&lt;uuid&gt;@&lt;sender domain&gt;</c> with the operation id's name-based UUID (without the angle brackets):
    /// the domain of <c>Sending:FromAddress</c>, as RFC 5322 asks (a domain the sender owns), never a local name.
    /// </summary>
    public static string MessageId(EmailMessage message)
    {
        var at = message.From.Address.LastIndexOf('@');
        var domain = at >= 0 && at < message.From.Address.Length - 1 ? message.From.Address[(at + 1)..] : "journeyfunctions.local";
        return $"{OperationIds.ToUuid(message.OperationId):D}@{domain}";
    }
}

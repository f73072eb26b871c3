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
        // Content-Transfer-Encoding, so the .eml and the SMTP DATA are 7-bit clean whatever the templates hold and
        // whether or not the server speaks 8BITMIME. Such a part is written quoted-printable by QuotedPrintable below
        // (MimeKit's own encoder lets a line reach 77 or 78 characters with its soft break, past 6.7's 76).
        foreach (var part in mime.BodyParts.OfType<TextPart>())
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(part.Text.ReplaceLineEndings("\r\n"));
            if (SevenBitClean(bytes))
            {
                part.ContentTransferEncoding = ContentEncoding.SevenBit;
                continue;
            }

            part.Content = new MimeContent(new MemoryStream(QuotedPrintable(bytes)), ContentEncoding.QuotedPrintable);
            part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        }

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

    /// <summary>ASCII without NUL in lines of at most 998 octets (RFC 5322 2.1.1): sendable as 7bit.</summary>
    private static bool SevenBitClean(byte[] text)
    {
        var line = 0;
        foreach (var b in text)
        {
            if (b is 0 or >= 128)
            {
                return false;
            }

            line = b == '\n' ? 0 : line + 1;
            if (line > 998)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// RFC 2045 6.7 quoted-printable of text with CRLF line ends: printable ASCII but '=' as itself, every other octet
    /// as =XX (upper-case hex), space and tab as themselves except at a line's end, and soft line breaks ("=" at the
    /// end) so that no encoded line, the "=" included, is longer than 76 characters; an escape is never split.
    /// </summary>
    internal static byte[] QuotedPrintable(byte[] text)
    {
        const int MaxLine = 76;
        var output = new List<byte>(text.Length + (text.Length / 8));
        var lineLength = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (b == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
                lineLength = 0;
                i++;
                continue;
            }

            var endOfLine = i + 1 == text.Length || (text[i + 1] == '\r' && i + 2 < text.Length && text[i + 2] == '\n');
            var literal = b is (>= 33 and <= 126) and not (byte)'=' || (b is (byte)' ' or (byte)'\t' && !endOfLine);
            var width = literal ? 1 : 3;

            // Room for this token and, unless the hard line ends right after it, a soft break's "=".
            if (lineLength + width > (endOfLine ? MaxLine : MaxLine - 1))
            {
                output.Add((byte)'=');
                output.Add((byte)'\r');
                output.Add((byte)'\n');
                lineLength = 0;
            }

            if (literal)
            {
                output.Add(b);
            }
            else
            {
                output.Add((byte)'=');
                output.Add((byte)"0123456789ABCDEF"[b >> 4]);
                output.Add((byte)"0123456789ABCDEF"[b & 0xF]);
            }

            lineLength += width;
        }

        return [.. output];
    }
}

namespace JourneyFunctions.Core.Ports;

/// <summary>Sends one email. Implementations: ACS REST, SMTP (MailKit), local .eml outbox.</summary>
public interface IEmailSender
{
    /// <summary>
    /// Sends the message. <see cref="EmailMessage.OperationId"/> is the idempotency key: a retry with the same id must
    /// not become a second email where the provider supports it (ACS Operation-Id). Throws
    /// <see cref="EmailSendException"/> with <see cref="EmailSendException.Transient"/> telling retry from give up.
    /// </summary>
    Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}

public sealed record EmailAddress(string Address, string? DisplayName = null);

public sealed record EmailMessage
{
    /// <summary>Deterministic id (run and step); a retry reuses it.</summary>
    public required string OperationId { get; init; }

    public required EmailAddress From { get; init; }

    public required EmailAddress To { get; init; }

    public EmailAddress? ReplyTo { get; init; }

    public required string Subject { get; init; }

    public required string Html { get; init; }

    public required string Text { get; init; }

    /// <summary>Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Turn on ACS user engagement tracking (opens, clicks) for this email.</summary>
    public bool TrackEngagement { get; init; } = true;
}

/// <summary>The provider's id for the message (ACS operation id, SMTP Message-ID, outbox file name).</summary>
public sealed record EmailSendResult(string MessageId, string Status);

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

public sealed class EmailSendException : Exception
{
    public EmailSendException()
    {
    }

    public EmailSendException(string message)
        : base(message)
    {
    }

    public EmailSendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EmailSendException(string message, bool transient, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Transient = transient;
        RetryAfter = retryAfter;
    }

    /// <summary>True when trying again later may succeed (429, 5xx, network); false for a permanent refusal.</summary>
    public bool Transient { get; }

    /// <summary>What the provider asked for (Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>Renders email templates (Liquid) and tells validation which templates exist and what they need.</summary>
public interface ITemplateRenderer : ITemplateCatalog
{
    Task<RenderedEmail> RenderAsync(string template, TemplateModel model, CancellationToken cancellationToken = default);
}

/// <summary>What journey validation asks of the templates.</summary>
public interface ITemplateCatalog
{
    bool Exists(string template);

    /// <summary>
    /// Problems with a template for use in a journey: parse errors, and variables the journey can never provide.
    /// Each problem is a sentence a marketer understands.
    /// </summary>
    IReadOnlyList<string> Check(string template, TemplateScope scope);
}

/// <summary>What a journey can provide to a template at a step: events.&lt;id&gt; exist only for these waitForEvent/webhook step ids.</summary>
public sealed record TemplateScope(IReadOnlyCollection<string> EventStepIds);

/// <summary>Variables of one email: contact, trigger, event, events, journey, step, unsubscribe_url.</summary>
public sealed record TemplateModel
{
    public required IReadOnlyDictionary<string, object?> Variables { get; init; }
}

public sealed record RenderedEmail(string Subject, string Html, string Text);

namespace JourneyFunctions.Core.Services;

/// <summary>How emails go out: sender, public URL for unsubscribe links, frequency cap and the provider's rate quota.</summary>
public sealed class SendingOptions
{
    public const string SectionName = "Sending";

    /// <summary>The sample shop's sender: a reserved domain (RFC 2606) that matches the sample templates' brand.</summary>
    public const string DefaultFromAddress = "hello@northwind.example";

    /// <summary>
    /// The From address of every email, whichever provider sends it, and the domain of its Message-ID: the one place
    /// the sender is configured (<c>Sending:FromAddress</c>). The default, <see cref="DefaultFromAddress"/>, is a
    /// domain no mail goes to, fine for the outbox; set your own for SMTP, and with ACS one of a verified (or
    /// Azure-managed) domain.
    /// </summary>
    public string FromAddress { get; set; } = DefaultFromAddress;

    /// <summary>The display name beside <see cref="FromAddress"/> (e.g. your shop's name); none by default.</summary>
    public string? FromName { get; set; }

    public string? ReplyTo { get; set; }

    /// <summary>Public HTTPS base URL of the app, for one-click unsubscribe links (RFC 8058 needs HTTPS in production).</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>At most this many marketing emails per contact per <see cref="FrequencyCapPeriod"/>; 0 turns the cap off.</summary>
    public int FrequencyCapMaxEmails { get; set; } = 3;

    public TimeSpan FrequencyCapPeriod { get; set; } = TimeSpan.FromDays(1);


    /// <summary>Provider quota in emails per minute (ACS Azure-managed domains allow about 30); 0 means unlimited.</summary>
    public int RatePerMinute { get; set; }

    /// <summary>Tokens the bucket may hold (a short burst); default: one minute's worth.</summary>
    public int RateBurst { get; set; }
}

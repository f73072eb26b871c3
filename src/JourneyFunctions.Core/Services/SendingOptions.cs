namespace JourneyFunctions.Core.Services;

/// <summary>How emails go out: sender, public URL for unsubscribe links, frequency cap and the provider's rate quota.</summary>
public sealed class SendingOptions
{
    public const string SectionName = "Sending";

    /// <summary>The From address; with ACS it must belong to a verified (or Azure-managed) domain.</summary>
    public string FromAddress { get; set; } = "journeys@localhost";

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

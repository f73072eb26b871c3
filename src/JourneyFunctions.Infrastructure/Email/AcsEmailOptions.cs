namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// Azure Communication Services Email (configuration section <c>Email:Acs</c>). Give either
/// <see cref="ConnectionString"/> (<c>endpoint=https://...;accesskey=...</c>, HMAC-SHA256 auth) or
/// <see cref="Endpoint"/> alone (Entra ID: DefaultAzureCredential, e.g. a managed identity with the
/// "Communication and Email Service Owner" role or a custom role allowing Microsoft.Communication/CommunicationServices/Read and Write).
/// </summary>
public sealed class AcsEmailOptions
{
    public const string SectionName = "Email:Acs";

    public string? ConnectionString { get; set; }

    /// <summary>https://&lt;resource&gt;.&lt;region&gt;.communication.azure.com, for token (Entra ID) auth.</summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// The MailFrom address of a domain connected to the ACS resource (e.g. DoNotReply@&lt;guid&gt;.azurecomm.net for an
    /// Azure-managed domain). When set it is used for every email; else the message's From address is.
    /// </summary>
    public string? SenderAddress { get; set; }

    /// <summary>The data-plane api-version: 2025-09-01 (default) or 2023-03-31, the two stable versions.</summary>
    public string ApiVersion { get; set; } = "2025-09-01";

    /// <summary>
    /// False (default): return once ACS accepted the email (202, status Running); delivery arrives later through Event
    /// Grid. True: poll <c>Operation-Location</c> until Succeeded, Failed or Canceled, for at most <see cref="MaxPollDuration"/>.
    /// </summary>
    public bool WaitForCompletion { get; set; }

    /// <summary>Retries of one send on 408/429/5xx and network errors, honouring Retry-After, before it fails as transient.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the exponential back-off when the service gives no Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay between status polls when the service gives no Retry-After.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxPollDuration { get; set; } = TimeSpan.FromMinutes(2);
}

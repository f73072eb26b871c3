namespace JourneyFunctions.Core.Ports;

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

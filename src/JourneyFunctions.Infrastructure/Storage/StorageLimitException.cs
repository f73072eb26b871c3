namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Thrown before a write that Azure Storage would refuse for its size (an entity over 1 MiB, a key over 1 KiB), with
/// a message that names the row, the size and the limit instead of the service's bare 400.
/// </summary>
public sealed class StorageLimitException : Exception
{
    public StorageLimitException()
    {
    }

    public StorageLimitException(string message)
        : base(message)
    {
    }

    public StorageLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

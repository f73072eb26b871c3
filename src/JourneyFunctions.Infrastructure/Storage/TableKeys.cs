using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Turns any id into a valid Table Storage key. Keys may not hold <c>/ \ # ?</c> or control characters, and
/// <c>%</c> is unsafe in the URLs of point operations, so every character but letters, digits and <c>- _ . @ +</c>
/// becomes <c>~XX</c> per UTF-8 byte (<see cref="RunIds.EscapePart"/> with <c>~</c> for <c>%</c>). The mapping is
/// one-to-one and keeps ordinal order for plain ids; the empty string becomes <c>~</c>, which no other id produces.
/// </summary>
public static class TableKeys
{
    /// <summary>
    /// Table Storage's limit on a PartitionKey or RowKey: 1 KiB, which the service counts in UTF-16, so 512
    /// characters (Azurite refuses a 529-character row key in a batch with a bare 400).
    /// </summary>
    public const int MaxKeyLength = 512;

    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "~";
        }

        var escaped = RunIds.EscapePart(value).Replace('%', '~');
        if (escaped.Length > MaxKeyLength)
        {
            throw new StorageLimitException(
                $"The id '{value[..Math.Min(value.Length, 64)]}...' is {escaped.Length} characters once escaped for a table key, over the {MaxKeyLength}-character limit.");
        }

        return escaped;
    }
}

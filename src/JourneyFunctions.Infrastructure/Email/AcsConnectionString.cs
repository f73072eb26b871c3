namespace JourneyFunctions.Infrastructure.Email;

/// <summary>An ACS connection string, <c>endpoint=https://...;accesskey=&lt;base64&gt;</c> (keys case-insensitive).</summary>
public sealed record AcsConnectionString(Uri Endpoint, byte[] AccessKey)
{
    public static AcsConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var parts = connectionString
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new FormatException("the ACS connection string needs endpoint=https://<resource>.communication.azure.com");
        }

        if (!parts.TryGetValue("accesskey", out var key))
        {
            throw new FormatException("the ACS connection string needs accesskey=<key>");
        }

        try
        {
            return new AcsConnectionString(uri, Convert.FromBase64String(key));
        }
        catch (FormatException exception)
        {
            throw new FormatException("the ACS access key in the connection string is not base64", exception);
        }
    }
}

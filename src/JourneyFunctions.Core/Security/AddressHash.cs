using System.Security.Cryptography;
using System.Text;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// The key of a suppression: SHA-256 (hex) of the trimmed, lower-cased address. Suppressions keep only this hash, so
/// they survive erasing a contact's personal data while still stopping mail to that address.
/// </summary>
public static class AddressHash
{
    public static string Compute(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var normalised = address.Trim().ToLowerInvariant();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(normalised), hash);
        return Convert.ToHexStringLower(hash);
    }
}

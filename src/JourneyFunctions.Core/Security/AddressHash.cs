using System.Security.Cryptography;
using System.Text;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// The key of a suppression: SHA-256 (lowercase hex) of the trimmed, lower-cased address. Suppressions are keyed by
/// it so that they outlive an erased contact without keeping the address itself.
/// </summary>
public static class AddressHash
{
    public static string Compute(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var normalised = email.Trim().ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }
}

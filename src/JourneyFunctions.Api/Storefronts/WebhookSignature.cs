using System.Security.Cryptography;
using System.Text;

namespace JourneyFunctions.Api.Storefronts;

/// <summary>
/// The signature both platforms put on a webhook: HMAC-SHA256 of the raw body with the shared secret, base64. It is
/// checked on the bytes as received (before any parsing), and compared in constant time.
/// </summary>
public static class WebhookSignature
{
    public static string Compute(ReadOnlySpan<byte> body, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>True when <paramref name="presented"/> is the base64 HMAC of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> body, string secret, string? presented)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(secret))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        Span<byte> given = stackalloc byte[64];
        if (!Convert.TryFromBase64String(presented.Trim(), given, out var written))
        {
            return false;
        }

        // FixedTimeEquals is constant-time for equal lengths; a wrong length says nothing about the secret.
        return CryptographicOperations.FixedTimeEquals(expected, given[..written]);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// Compares a presented credential with the configured one in time that depends on neither's content nor length.
/// <see cref="CryptographicOperations.FixedTimeEquals"/> alone returns at once when the lengths differ, which tells a
/// caller who measures the answer how long the secret is; comparing the SHA-256 digests of both sides (always 32 bytes)
/// does not.
/// </summary>
public static class SecretComparison
{
    /// <summary>True when <paramref name="presented"/>'s UTF-8 bytes equal <paramref name="expected"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> expected, string? presented)
    {
        if (presented is null)
        {
            return false;
        }

        Span<byte> left = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> right = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(expected, left);
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), right);
        return CryptographicOperations.FixedTimeEquals(left, right);
    }

    /// <summary>True when the two strings are equal, compared as UTF-8 in fixed time.</summary>
    public static bool Matches(string expected, string? presented)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return Matches(Encoding.UTF8.GetBytes(expected), presented);
    }
}

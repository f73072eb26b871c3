using System.Security.Cryptography;
using System.Text;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// The key of a suppression and of a sent email's recipient (<see cref="Ports.LedgerEntry.RecipientHash"/>): a keyed
/// HMAC-SHA256 (hex) of the trimmed, lower-cased address, so a row kept after erase does not give the address away to
/// whoever reads the table: without the key, guessing an address and hashing it tells nothing.
/// </summary>
/// <remarks>
/// <para>The HMAC is computed over the plain SHA-256 (hex) of the normalised address that earlier versions stored
/// (<see cref="Legacy"/>). That keeps a keyed value a function of the address alone, and lets rows written before be
/// re-keyed from what they hold (<see cref="Rekey"/>), without knowing the address: the only way to re-key the
/// suppression of an address whose contact was erased.</para>
/// <para>The key comes from configuration (<see cref="AddressHashOptions.Key"/>, Key Vault in Azure); it is never
/// logged, printed or returned. Changing it makes every stored suppression unreachable, so it is not rotated.</para>
/// </remarks>
public sealed class AddressHasher
{
    /// <summary>The shortest key accepted, in bytes (UTF-8 of the configured secret).</summary>
    public const int MinKeyBytes = 32;

    private readonly byte[] _key;

    public AddressHasher(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Encoding.UTF8.GetBytes(secret.Trim());
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"the address hash key must be at least {MinKeyBytes} bytes (e.g. 48 random bytes in base64)", nameof(secret));
        }

        _key = key;
    }

    /// <summary>The keyed hash of <paramref name="address"/>: what suppressions and ledger rows hold from now on.</summary>
    public string Compute(string address) => Rekey(Legacy(address));

    /// <summary>The keyed hash of an address given its <see cref="Legacy"/> hash (migration of rows written before).</summary>
    public string Rekey(string legacyHash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(legacyHash);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(legacyHash), mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Whether <paramref name="storedHash"/> (a ledger row's recipient, keyed or written before as a plain hash) is
    /// the hash of <paramref name="address"/>. Constant-time comparisons: the stored value is not leaked by timing.
    /// </summary>
    public bool Matches(string? storedHash, string address)
    {
        if (string.IsNullOrEmpty(storedHash) || string.IsNullOrWhiteSpace(address))
        {
            return false;
        }

        var legacy = Legacy(address);
        var stored = Encoding.ASCII.GetBytes(storedHash);
        return CryptographicOperations.FixedTimeEquals(stored, Encoding.ASCII.GetBytes(Rekey(legacy)))
            | CryptographicOperations.FixedTimeEquals(stored, Encoding.ASCII.GetBytes(legacy));
    }

    /// <summary>
    /// The plain SHA-256 (hex) of the trimmed, lower-cased address: what versions before the keyed hash stored. Read
    /// only to find and re-key those rows; anyone can compute it from a guessed address.
    /// </summary>
    public static string Legacy(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var normalised = address.Trim().ToLowerInvariant();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(normalised), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Never the key.</summary>
    public override string ToString() => nameof(AddressHasher);
}

/// <summary>
/// Settings of the address hash (configuration section <c>Suppressions</c>): <see cref="Key"/> from configuration or
/// Key Vault; without it Development uses a generated local key file (<see cref="LocalKeyPath"/>) and any other
/// environment refuses to start.
/// </summary>
public sealed class AddressHashOptions
{
    public const string SectionName = "Suppressions";

    /// <summary>The HMAC key (at least 32 bytes of UTF-8; e.g. 48 random bytes in base64). A secret: never logged.</summary>
    public string? Key { get; set; }

    /// <summary>Where Development keeps its generated key when <see cref="Key"/> is not set. Default <c>.journeys/address-hash.key</c>.</summary>
    public string LocalKeyPath { get; set; } = ".journeys/address-hash.key";

    /// <summary>
    /// Whether a lookup that finds no keyed suppression also looks for one written before under the plain hash (and
    /// re-keys it when found). Default true; set false once <c>TableSuppressionStore.RekeyLegacyAsync</c> has run (each such
    /// lookup is a second point read when a table filter does not answer it).
    /// </summary>
    public bool ReadLegacyHashes { get; set; } = true;
}

using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace JourneyFunctions.Core.Security;

/// <summary>One signing key. <see cref="Id"/> travels in every token so that keys can rotate.</summary>
public sealed class UnsubscribeKey
{
    /// <summary>Short id (letters, digits, '-' or '_'), e.g. "2026-11".</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The secret; at least 32 characters of randomness (e.g. <c>openssl rand -base64 48</c>).</summary>
    public string Secret { get; set; } = string.Empty;
}

/// <summary>Keys and rules for unsubscribe tokens (configuration section <c>Unsubscribe</c>).</summary>
public sealed class UnsubscribeTokenOptions
{
    public const string SectionName = "Unsubscribe";

    /// <summary>
    /// Every key that verifies; the first one signs. To rotate, put a new key first and keep the old ones as long as
    /// emails signed with them may still be clicked.
    /// </summary>
    public IList<UnsubscribeKey> Keys { get; set; } = [];

    /// <summary>
    /// Off by default: RFC 8058 one-click links are followed by mailbox providers long after sending, and a link that
    /// stops working leaves the recipient no way out but the spam button. Set it only if policy demands.
    /// </summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>
    /// How far in the future a token's issue time may lie (clocks of two instances disagree a little); a token
    /// issued later than now plus this is refused. Default 5 minutes.
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>The scopes an unsubscribe token can name. The host issues and honours only <see cref="Marketing"/>.</summary>
public static class UnsubscribeScopes
{
    /// <summary>Every marketing email: consent withdrawn, address suppressed, marketing runs ended.</summary>
    public const string Marketing = "marketing";
}

/// <summary>What a valid token says: who, from what, since when, signed with which key.</summary>
public sealed record UnsubscribeClaims(string ContactId, string Scope, DateTimeOffset IssuedAt, string KeyId);

/// <summary>
/// Signed unsubscribe tokens: <c>1.&lt;keyId&gt;.&lt;payload&gt;.&lt;signature&gt;</c>, all URL-safe base64 (no padding).
/// The payload is the JSON array [contactId, scope, issuedAt unix seconds]; the signature is HMAC-SHA256 over
/// "1.keyId.payload" with the key's secret, compared in constant time. The token is the only authority of the
/// unsubscribe endpoint (no login), so nothing in it is trusted before the signature checks. Each token has exactly
/// one spelling: a part that decodes but is not the canonical encoding of its bytes (padding, stray bits) is refused,
/// and so is a token issued more than <see cref="UnsubscribeTokenOptions.MaxClockSkew"/> in the future.
/// </summary>
public sealed class UnsubscribeTokens
{
    private const string Version = "1";
    private readonly (string Id, byte[] Secret)[] _keys;
    private readonly TimeSpan? _maxAge;
    private readonly TimeSpan _maxClockSkew;
    private readonly TimeProvider _time;

    public UnsubscribeTokens(UnsubscribeTokenOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Keys.Count == 0)
        {
            throw new ArgumentException("unsubscribe tokens need at least one key (Unsubscribe:Keys:0:Id and Unsubscribe:Keys:0:Secret)", nameof(options));
        }

        foreach (var key in options.Keys)
        {
            if (string.IsNullOrEmpty(key.Id) || !key.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new ArgumentException($"unsubscribe key id \"{key.Id}\" must be letters, digits, '-' or '_'", nameof(options));
            }

            if (key.Secret.Length < 32)
            {
                throw new ArgumentException($"unsubscribe key \"{key.Id}\" has a secret shorter than 32 characters", nameof(options));
            }
        }

        _keys = options.Keys.Select(k => (k.Id, Encoding.UTF8.GetBytes(k.Secret))).ToArray();
        _maxAge = options.MaxAge;
        _maxClockSkew = options.MaxClockSkew < TimeSpan.Zero ? TimeSpan.Zero : options.MaxClockSkew;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A token for <paramref name="contactId"/> leaving <paramref name="scope"/> ("marketing" or a journey id).</summary>
    public string Create(string contactId, string scope, DateTimeOffset issuedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(contactId);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        var (keyId, secret) = _keys[0];
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new object[] { contactId, scope, issuedAt.ToUnixTimeSeconds() }));
        var signed = $"{Version}.{keyId}.{payload}";
        return $"{signed}.{Base64Url.EncodeToString(Sign(secret, signed))}";
    }

    /// <summary>True with the claims when the token is well formed, signed by a known key and (if set) young enough.</summary>
    public bool TryVerify(string? token, out UnsubscribeClaims claims)
    {
        claims = null!;
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Version)
        {
            return false;
        }

        var secret = Array.Find(_keys, k => string.Equals(k.Id, parts[1], StringComparison.Ordinal)).Secret;
        if (secret is null || !TryDecode(parts[3], out var signature))
        {
            return false;
        }

        var expected = Sign(secret, $"{parts[0]}.{parts[1]}.{parts[2]}");
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return false;
        }

        if (!TryDecode(parts[2], out var payload) || !TryReadPayload(payload, out var contactId, out var scope, out var issuedAt))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (issuedAt > now + _maxClockSkew)
        {
            return false;
        }

        if (_maxAge is { } maxAge && now - issuedAt > maxAge)
        {
            return false;
        }

        claims = new UnsubscribeClaims(contactId, scope, issuedAt, parts[1]);
        return true;
    }

    private static byte[] Sign(byte[] secret, string signed) => HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signed));

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (!Base64Url.IsValid(text))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(text);

        // One spelling per token: padding, whitespace or non-zero trailing bits would decode to the same bytes.
        return string.Equals(Base64Url.EncodeToString(bytes), text, StringComparison.Ordinal);
    }

    private static bool TryReadPayload(byte[] payload, out string contactId, out string scope, out DateTimeOffset issuedAt)
    {
        contactId = scope = string.Empty;
        issuedAt = default;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 3
                || root[0].ValueKind != JsonValueKind.String || root[1].ValueKind != JsonValueKind.String || !root[2].TryGetInt64(out var seconds))
            {
                return false;
            }

            contactId = root[0].GetString()!;
            scope = root[1].GetString()!;
            issuedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return contactId.Length > 0 && scope.Length > 0
                && payload.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(new object[] { contactId, scope, seconds }));
        }
        catch (Exception exception) when (exception is JsonException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}

/// <summary>Unsubscribe URLs and the RFC 8058 headers that carry them.</summary>
public static class UnsubscribeLinks
{
    public const string ListUnsubscribe = "List-Unsubscribe";
    public const string ListUnsubscribePost = "List-Unsubscribe-Post";
    public const string OneClick = "List-Unsubscribe=One-Click";

    /// <summary>
    /// <c>{publicBaseUrl}/api/unsubscribe?token=...</c>. RFC 8058 requires HTTPS for one-click unsubscribe; plain HTTP
    /// is accepted only for loopback hosts (local development).
    /// </summary>
    public static string BuildUrl(string publicBaseUrl, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var baseUri)
            || !(baseUri.Scheme == Uri.UriSchemeHttps || (baseUri.Scheme == Uri.UriSchemeHttp && baseUri.IsLoopback)))
        {
            throw new ArgumentException($"the public base URL \"{publicBaseUrl}\" must be an absolute https:// URL (http:// only for localhost)", nameof(publicBaseUrl));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/')}/api/unsubscribe?token={Uri.EscapeDataString(token)}");
    }

    /// <summary>
    /// The RFC 8058 headers for an email: <c>List-Unsubscribe: &lt;https-url&gt;</c> (the HTTPS URL first, then an
    /// optional mailto) and <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Headers(string unsubscribeUrl, string? mailto = null) =>
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [ListUnsubscribe] = mailto is null ? $"<{unsubscribeUrl}>" : $"<{unsubscribeUrl}>, <mailto:{mailto}>",
            [ListUnsubscribePost] = OneClick,
        };
}

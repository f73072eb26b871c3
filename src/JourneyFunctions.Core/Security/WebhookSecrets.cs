using System.Text.RegularExpressions;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// Secrets of webhook steps are referenced by name, never written in the journey: a header value holds
/// <c>{{secret:NAME}}</c> (e.g. <c>"Authorization": "Bearer {{secret:crm-token}}"</c>), and the webhook client fills
/// it in at call time from configuration <c>Webhooks:Secrets:NAME</c> (an app setting backed by Key Vault in Azure).
/// The journey, its API and its history hold the name only.
/// </summary>
public static partial class WebhookSecrets
{
    /// <summary>Header names whose values are credentials: a literal value in one of them is refused at publish.</summary>
    public static bool IsSensitiveHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lower = name.ToLowerInvariant();
        return lower is "authorization" or "proxy-authorization" or "cookie"
            || lower.Contains("key", StringComparison.Ordinal) || lower.Contains("token", StringComparison.Ordinal)
            || lower.Contains("secret", StringComparison.Ordinal) || lower.Contains("password", StringComparison.Ordinal)
            || lower.Contains("signature", StringComparison.Ordinal) || lower.Contains("auth", StringComparison.Ordinal);
    }

    /// <summary>
    /// True when <paramref name="value"/> holds its credential by reference: at least one <c>{{secret:NAME}}</c>, and
    /// besides them at most an authentication scheme word (<c>Bearer</c>, <c>Basic</c>, <c>Token</c> ...).
    /// </summary>
    public static bool IsByReference(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Reference().IsMatch(value) && SchemeWord().IsMatch(Reference().Replace(value, string.Empty).Trim());
    }

    /// <summary>The secret names a value references.</summary>
    public static IEnumerable<string> Names(string value) => Reference().Matches(value).Select(m => m.Groups[1].Value);

    /// <summary>
    /// The value with every reference filled in by <paramref name="lookup"/>; the first name it does not know comes back
    /// in <paramref name="missing"/> (and the result is null).
    /// </summary>
    public static string? Resolve(string value, Func<string, string?> lookup, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        string? unknown = null;
        var resolved = Reference().Replace(value, match =>
        {
            var secret = lookup(match.Groups[1].Value);
            if (secret is null)
            {
                unknown ??= match.Groups[1].Value;
                return string.Empty;
            }

            return secret;
        });
        missing = unknown;
        return unknown is null ? resolved : null;
    }

    [GeneratedRegex(@"\{\{\s*secret:([A-Za-z0-9_.\-]+)\s*\}\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^[A-Za-z\-]*$")]
    private static partial Regex SchemeWord();
}

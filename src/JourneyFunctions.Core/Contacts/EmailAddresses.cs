using System.Diagnostics.CodeAnalysis;
using MimeKit;

namespace JourneyFunctions.Core.Contacts;

/// <summary>
/// The one email address parser of the product: ingest (<c>contact.email</c> of an event), contact upsert and every
/// sender (SMTP, outbox, ACS) read an address through here, with MimeKit's strict RFC 5322 parser, so an address that
/// got in is one a sender can send to, and one a sender refuses never gets in. An address is exactly one bare
/// mailbox (<c>local@domain.tld</c>): no display name, no list, no group, no route, no control character, at most
/// 254 characters (RFC 5321's path limit), with a dotted domain.
/// </summary>
public static class EmailAddresses
{
    /// <summary>RFC 5321 4.5.3.1.3: a path holds at most 256 octets, two of them the angle brackets.</summary>
    public const int MaxLength = 254;

    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowUnquotedCommasInAddresses = false,
        AllowAddressesWithoutDomain = false,
        MaxAddressGroupDepth = 0,
    };

    /// <summary>
    /// True with the address as the senders will use it (trimmed) when <paramref name="text"/> is exactly one bare
    /// mailbox; false with a sentence saying what is wrong.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? problem) =>
        TryParse(text, requireDottedDomain: true, out address, out problem);

    /// <summary>
    /// As <see cref="TryParse(string?, out string?, out string?)"/>; <paramref name="requireDottedDomain"/> false lets
    /// a sender's own address be <c>journeys@localhost</c> (the outbox default), never a contact's.
    /// </summary>
    public static bool TryParse(string? text, bool requireDottedDomain, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? problem)
    {
        if (text is not null && IsPlainAddress(text, requireDottedDomain))
        {
            address = text;
            problem = null;
            return true;
        }

        return TryParseWithMimeKit(text, requireDottedDomain, out address, out problem);
    }

    /// <summary>
    /// The fast path of <see cref="TryParse(string?, bool, out string?, out string?)"/>: true only for an address that
    /// the MimeKit path below accepts as it is, built of the plainest parts (<c>local@domain.tld</c>: a dot-atom of
    /// ASCII letters, digits and RFC 5322 atext before the one <c>@</c>, dot-separated labels of letters, digits and
    /// <c>-</c> after it, no <c>xn--</c> label, no space, no quote, no bracket, no comment, no control character).
    /// Anything else, valid or not, goes to MimeKit, which alone says what is wrong. Ingest checks the address of
    /// every event, and parsing each with MimeKit was most of ingest's cost; a test holds the two paths to the same
    /// answer on a corpus of tricky and generated addresses.
    /// </summary>
    internal static bool IsPlainAddress(string text, bool requireDottedDomain)
    {
        if (text.Length > MaxLength)
        {
            return false;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0)
        {
            return false;
        }

        var local = text.AsSpan(0, at);
        var domain = text.AsSpan(at + 1);
        return IsDotAtom(local, isDomain: false)
            && IsDotAtom(domain, isDomain: true)
            && (!requireDottedDomain || (domain.Length >= 3 && domain.Contains('.')))
            && !HasPunycodeLabel(domain);
    }

    /// <summary>Atoms of <see cref="IsAtomChar"/> (domain: letters, digits and <c>-</c>) joined by single dots.</summary>
    private static bool IsDotAtom(ReadOnlySpan<char> part, bool isDomain)
    {
        if (part.IsEmpty || part[0] == '.' || part[^1] == '.')
        {
            return false;
        }

        var previous = '\0';
        foreach (var c in part)
        {
            if (c == '.' ? previous == '.' : !(isDomain ? char.IsAsciiLetterOrDigit(c) || c == '-' : IsAtomChar(c)))
            {
                return false;
            }

            previous = c;
        }

        return true;
    }

    /// <summary>RFC 5322 atext: ASCII letters, digits and <c>! # $ % &amp; ' * + - / = ? ^ _ ` { | } ~</c>.</summary>
    private static bool IsAtomChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);

    /// <summary>An <c>xn--</c> label is an IDN in ASCII form; how MimeKit renders it is MimeKit's to say.</summary>
    private static bool HasPunycodeLabel(ReadOnlySpan<char> domain)
    {
        foreach (var range in domain.Split('.'))
        {
            if (domain[range].StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The full check, with MimeKit's strict parser: what every address not plain enough for the fast path gets.</summary>
    internal static bool TryParseWithMimeKit(string? text, bool requireDottedDomain, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? problem)
    {
        address = null;
        var candidate = text?.Trim();
        if (string.IsNullOrEmpty(candidate))
        {
            problem = "is empty: give one address, e.g. ana@example.com";
            return false;
        }

        if (candidate.Length > MaxLength)
        {
            problem = $"is {candidate.Length} characters; an address has at most {MaxLength}";
            return false;
        }

        if (candidate.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            problem = "holds a space or a control character: give one address, e.g. ana@example.com";
            return false;
        }

        if (!MailboxAddress.TryParse(Strict, candidate, out var mailbox)
            || mailbox.Route.Count > 0
            || !string.IsNullOrEmpty(mailbox.Name)
            || !string.Equals(mailbox.Address, candidate, StringComparison.Ordinal))
        {
            problem = "is not one email address: give exactly one, without a name or angle brackets, e.g. ana@example.com";
            return false;
        }

        var at = candidate.LastIndexOf('@');
        var domain = at > 0 ? candidate[(at + 1)..] : string.Empty;
        if (at <= 0 || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal)
            || (requireDottedDomain && (domain.Length < 3 || !domain.Contains('.', StringComparison.Ordinal))))
        {
            problem = "has no full domain after the @ (e.g. example.com)";
            return false;
        }

        address = candidate;
        problem = null;
        return true;
    }

    /// <summary>The MIME mailbox of a valid address; <see cref="FormatException"/> with the reason when it is not one.</summary>
    public static MailboxAddress ToMailbox(string address, string? displayName = null, bool requireDottedDomain = true)
    {
        if (!TryParse(address, requireDottedDomain, out var parsed, out var problem))
        {
            throw new FormatException($"The address '{Shorten(address)}' {problem}.");
        }

        return new MailboxAddress(displayName, parsed);
    }

    /// <summary>A short, printable form of an address for messages (control characters shown as '?').</summary>
    public static string Shorten(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var cut = text.Length > 80 ? text[..80] + "..." : text;
        return new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}

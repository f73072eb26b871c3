using System.Text;
using JourneyFunctions.Core.Engine;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// The one rule every id from outside (contact, event, journey, idempotency key) is checked against at the edge, so
/// that neither storage backend ever sees a key it would refuse: the in-memory stores take any string, Table Storage
/// refuses a key over 512 characters (1 KiB of UTF-16), and the longest key an id ends up in is a send-ledger row,
/// which holds the contact id escaped twice (once into the run id, <see cref="RunIds.For"/>, then into the table key),
/// twice over (run and operation id): 259 + 2 x (contact id + run key) characters with journey and step ids of at most
/// 64. An id passes when it has no control character and its twice-escaped form is at most <see cref="MaxKeyLength"/>
/// characters, which leaves a keyed journey's run key (a cart id) 46 of its own. Ids may hold any other character,
/// <c>/</c> included (<c>gid://shopify/Customer/7008</c> is 47 once escaped twice): routes take them percent-encoded.
/// </summary>
public static class IdLimits
{
    /// <summary>Characters of an id as sent (an id of letters, digits and - _ . @ + escapes to itself).</summary>
    public const int MaxLength = 80;

    /// <summary>Characters of an id escaped twice, as the longest storage key holds it.</summary>
    public const int MaxKeyLength = 80;

    /// <summary>The length of <paramref name="id"/> in the longest storage key (escaped twice).</summary>
    /// <remarks>
    /// Counted, not built: <see cref="RunIds.EscapePart"/> keeps a letter, digit or <c>- _ . @ +</c> as one character
    /// and turns every other UTF-8 byte into <c>%XX</c>; escaping that again keeps the hex digits and turns the
    /// <c>%</c> into <c>%25</c>, so each such byte is 5 characters. Ingest checks every id of every event, and valid
    /// ids are the common case, so this allocates nothing (a test holds it equal to the built string).
    /// </remarks>
    public static int KeyLength(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var length = 0;
        foreach (var rune in id.EnumerateRunes())
        {
            length += rune.IsAscii && (Rune.IsLetterOrDigit(rune) || rune.Value is '-' or '_' or '.' or '@' or '+') ? 1 : 5 * rune.Utf8SequenceLength;
        }

        return length;
    }

    /// <summary>Null when <paramref name="id"/> is a usable id; otherwise what is wrong with it, as a sentence.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrWhiteSpace(id))
        {
            return "is required";
        }

        if (id.Length > MaxLength || id.AsSpan().ContainsAnyInRange('\0', '\x1F') || id.AsSpan().ContainsAnyInRange('\x7F', '\x9F'))
        {
            return $"must be 1 to {MaxLength} characters with no control characters";
        }

        if (HasLoneSurrogate(id))
        {
            return "is not valid text (a lone surrogate)";
        }

        var keyLength = KeyLength(id);
        return keyLength > MaxKeyLength
            ? $"is too long once escaped for storage ({keyLength} characters, at most {MaxKeyLength}): use a shorter id, or one of letters, digits and - _ . @ +"
            : null;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}

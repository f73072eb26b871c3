using System.Globalization;
using System.Text;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// Deterministic run ids: <c>{journey}:{contact}[:{key}][:{generation}]</c>, each part escaped so that the id is a valid
/// Durable Functions instance id and Azure Table key (no <c>/ \ # ?</c>, no control characters, no <c>:</c> inside a
/// part). The same journey, contact, key and generation always give the same id, so a duplicate start is harmless.
/// Generation 1 has no suffix; re-entries count up.
/// </summary>
public static class RunIds
{
    public static string For(string journeyId, string contactId, string? key, int generation = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        if (generation == 1 && IsPlain(journeyId) && IsPlain(contactId) && (key is null || IsPlain(key)))
        {
            // Nothing to escape (the usual ids): the same text, put together in one string.
            return key is null ? string.Concat(journeyId, ":", contactId) : string.Concat(journeyId, ":", contactId, ":k=", key);
        }

        var sb = new StringBuilder(journeyId.Length + contactId.Length + 16);
        Escape(sb, journeyId);
        sb.Append(':');
        Escape(sb, contactId);
        if (key is not null)
        {
            sb.Append(":k=");
            Escape(sb, key);
        }

        if (generation > 1)
        {
            sb.Append(":g=").Append(generation.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>The prefix shared by every run of a contact in a journey (for an instance-id prefix query).</summary>
    public static string ContactPrefix(string journeyId, string contactId)
    {
        var sb = new StringBuilder();
        Escape(sb, journeyId);
        sb.Append(':');
        Escape(sb, contactId);
        sb.Append(':');
        return sb.ToString();
    }

    /// <summary>
    /// The contact id a run id made by <see cref="For"/> carries as its second part; null when the id has no such part
    /// or it is not validly escaped. Stores that keep a run with its contact's data find the run's place with it.
    /// </summary>
    public static string? ContactIdOf(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var first = runId.IndexOf(':', StringComparison.Ordinal);
        if (first < 0)
        {
            return null;
        }

        var end = runId.IndexOf(':', first + 1);
        var part = end < 0 ? runId.AsSpan(first + 1) : runId.AsSpan(first + 1, end - first - 1);
        var bytes = new List<byte>(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] != '%')
            {
                if (part[i] > 127)
                {
                    return null;
                }

                bytes.Add((byte)part[i]);
                continue;
            }

            if (i + 2 >= part.Length || !byte.TryParse(part.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return null;
            }

            bytes.Add(b);
            i += 2;
        }

        try
        {
            var id = new UTF8Encoding(false, true).GetString([.. bytes]);
            return EscapePart(id) == part.ToString() ? id : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Escapes one part: letters, digits, <c>- _ . @ +</c> stay; every other UTF-8 byte becomes <c>%XX</c>.</summary>
    public static string EscapePart(string part)
    {
        var sb = new StringBuilder(part.Length);
        Escape(sb, part);
        return sb.ToString();
    }

    /// <summary>True when <see cref="Escape"/> would leave every character of the part as it is.</summary>
    private static bool IsPlain(string part)
    {
        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or '+'))
            {
                return false;
            }
        }

        return true;
    }

    private static void Escape(StringBuilder sb, string part)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in part.EnumerateRunes())
        {
            if (rune.IsAscii && (Rune.IsLetterOrDigit(rune) || rune.Value is '-' or '_' or '.' or '@' or '+'))
            {
                sb.Append((char)rune.Value);
                continue;
            }

            var n = rune.EncodeToUtf8(bytes);
            for (var i = 0; i < n; i++)
            {
                sb.Append('%').Append(bytes[i].ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }
}
